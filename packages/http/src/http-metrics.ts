import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

// The platform's two HTTP metrics (docs/architecture.md, Observability), independent of the web framework: the Fastify
// services record them from an onResponse hook (metrics.ts), the admin portal from its own Node server.

// 5 ms .. 10 s: our handlers are mostly fast DB calls; anything past 10 s is an outage, not a latency.
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpMetrics {
  /** A registry of this server's own (with the process defaults); register service metrics here. */
  registry: Registry;
  /** One answered request; `route` must be a bounded label (a template or section, never the raw URL). */
  record(method: string, route: string, status: number, seconds: number): void;
}

export function createHttpMetrics(): HttpMetrics {
  // Per server, not global: several can then live in one test process without duplicate-metric errors.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  // prom-client hashes a label object on every call; the children of each (method, route, status) are looked
  // up once and kept (the key space is bounded: routes are templates, unmatched URLs share one label).
  const series = new Map<
    string,
    { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> }
  >();
  return {
    registry,
    record(method, route, status, seconds) {
      const key = `${method} ${route} ${status}`;
      let children = series.get(key);
      if (!children) {
        const labels = { method, route, status: String(status) };
        children = { requests: requests.labels(labels), duration: duration.labels(labels) };
        series.set(key, children);
      }
      children.requests.inc();
      children.duration.observe(seconds);
    },
  };
}
