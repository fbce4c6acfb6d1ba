import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface EngineMetrics {
  runsStarted: Counter<'trigger'>;
  runsCompleted: Counter<'state'>;
  stepDuration: Histogram<'type' | 'state'>;
  dispatchLatency: Histogram;
  errors: Counter;
}

// Names follow the platform's `<service>_<what>_<unit>` Prometheus style (this app's README, "Metrics").
export function createEngineMetrics(registry: Registry, queueDepth: () => Promise<number>): EngineMetrics {
  new Gauge({
    name: 'flow_queue_depth',
    help: 'Steps ready to run and not yet claimed by a worker.',
    registers: [registry],
    async collect() {
      this.set(await queueDepth().catch(() => 0));
    },
  });
  return {
    runsStarted: new Counter({
      name: 'flow_runs_started_total',
      help: 'Runs created, by trigger (api, schedule, subflow, rerun).',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    runsCompleted: new Counter({
      name: 'flow_runs_completed_total',
      help: 'Runs that reached a terminal state, by state.',
      labelNames: ['state'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'flow_step_duration_seconds',
      help: 'Time from a step attempt being claimed (or woken) to its outcome, by step type and outcome.',
      labelNames: ['type', 'state'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers: [registry],
    }),
    dispatchLatency: new Histogram({
      name: 'flow_dispatch_latency_seconds',
      help: 'Time from a step becoming ready to a worker claiming it.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'flow_engine_errors_total',
      help: 'Engine transactions that failed (database unreachable, conflicts).',
      registers: [registry],
    }),
  };
}
