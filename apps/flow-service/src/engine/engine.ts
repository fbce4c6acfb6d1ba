import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { Definition, StepSpec } from '../definitions/definition.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import { collectReferences, render, type TemplateContext } from '../definitions/template.ts';
import { EngineSignals } from './events.ts';
import { EXECUTION_TIMEOUT_TYPES, type ExecutorOptions, execute } from './executors.ts';
import type { EngineMetrics } from './metrics.ts';
import type { Outcome } from './outcome.ts';
import { type ClaimedStep, createStore, type Store } from './store.ts';

export interface EngineOptions {
  workerId: string;
  /** Steps this instance executes at once. */
  concurrency: number;
  leaseMs: number;
  /** Idle poll for work made ready elsewhere (other instances, timers); in-process changes wake at once. */
  pollIntervalMs: number;
  /** Lease and deadline sweeps. */
  sweepIntervalMs: number;
  /** http and noop steps without a timeout get this one. */
  defaultStepTimeoutMs: number;
  executors: Omit<ExecutorOptions, 'startRun'>;
  metrics?: EngineMetrics;
  /** Where the engine reports failures it recovers from (database errors). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Whether this instance executes steps (an API-only instance sets false). */
  work?: boolean;
}

interface Running {
  controller: AbortController;
  runId: string;
}

interface Completion {
  step: ClaimedStep;
  outcome: Outcome;
}

// Which parts of the run context a step's templates read: computed once per definition version and step.
const needsCache = new WeakMap<StepSpec, { input: boolean; steps: string[] }>();
function needs(spec: StepSpec) {
  let known = needsCache.get(spec);
  if (!known) {
    const refs = collectReferences(spec.input);
    known = {
      input: refs.some((r) => r.root === 'input'),
      steps: [...new Set(refs.filter((r) => r.root === 'steps').map((r) => r.step as string))],
    };
    needsCache.set(spec, known);
  }
  return known;
}

/**
 * One engine per process: a loop that, per turn, commits finished steps and claims ready ones in ONE
 * transaction, then executes the claimed steps concurrently. Completions wake the loop immediately, so a
 * chain advances in one transaction per step; other instances' work is found by a short idle poll.
 */
export function createEngine(
  database: Database<FlowSchema>,
  definitions: DefinitionsRepository,
  options: EngineOptions,
  /** Shared by the lanes of one process, so any lane's commit wakes the others and the SSE streams. */
  signals: EngineSignals = new EngineSignals(),
) {
  const store: Store = createStore(database, definitions, signals, {
    workerId: options.workerId,
    leaseMs: options.leaseMs,
    onCommit: (ctx) => afterCommit(ctx),
  });
  const startRun = async (input: Parameters<Store['startRun']>[0]) => {
    const result = await store.startRun(input);
    if (result.created) options.metrics?.runsStarted.inc({ trigger: input.trigger });
    return result;
  };
  const executorOptions: ExecutorOptions = { ...options.executors, startRun };
  const running = new Map<string, Running>();
  let completions: Completion[] = [];
  let stopped = true;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let loopDone: Promise<void> = Promise.resolve();
  let timers: NodeJS.Timeout[] = [];
  let nextTimer: NodeJS.Timeout | null = null;
  const metrics = options.metrics;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  signals.on('wake', wake);
  // A run that ended (cancelled, failed, timed out) stops its steps running in every lane of this process.
  signals.on('abort', (runId: string) => {
    for (const entry of running.values())
      if (entry.runId === runId) entry.controller.abort(new Error('run ended'));
  });

  function scheduleAt(at: number) {
    if (!Number.isFinite(at)) return;
    const delay = Math.max(0, at - Date.now());
    if (nextTimer) clearTimeout(nextTimer);
    nextTimer = setTimeout(wake, delay);
    nextTimer.unref();
  }

  async function contextFor(steps: Array<{ step: ClaimedStep; spec: StepSpec; definition: Definition }>) {
    const runIds = new Set<string>();
    const outputs = new Set<string>();
    for (const { step, spec } of steps) {
      const need = needs(spec);
      if (need.input) runIds.add(step.runId);
      if (need.steps.length) for (const id of need.steps) outputs.add(`${step.runId}\u0000${id}`);
    }
    const inputs = new Map<string, unknown>();
    if (runIds.size) {
      const rows = await database.db
        .selectFrom('runs')
        .select(['id', 'input'])
        .where('id', 'in', [...runIds])
        .execute();
      for (const row of rows) inputs.set(row.id, JSON.parse(row.input));
    }
    const stepOutputs = new Map<string, unknown>();
    if (outputs.size) {
      const wanted = [...outputs].map((key) => key.split('\u0000') as [string, string]);
      const rows = await database.db
        .selectFrom('steps')
        .select(['run_id', 'step_id', 'output'])
        .where('run_id', 'in', [...new Set(wanted.map(([run]) => run))])
        .where('step_id', 'in', [...new Set(wanted.map(([, id]) => id))])
        .execute();
      for (const row of rows)
        stepOutputs.set(
          `${row.run_id}\u0000${row.step_id}`,
          row.output === null ? null : JSON.parse(row.output),
        );
    }
    return (step: ClaimedStep, spec: StepSpec, definition: Definition): TemplateContext => {
      const stepsCtx: TemplateContext['steps'] = {};
      for (const id of needs(spec).steps)
        stepsCtx[id] = { output: stepOutputs.get(`${step.runId}\u0000${id}`) };
      return {
        input: inputs.get(step.runId),
        run: { id: step.runId, definition: definition.id, version: definition.version },
        steps: stepsCtx,
      };
    };
  }

  async function dispatch(claimed: ClaimedStep[]) {
    const prepared = await Promise.all(
      claimed.map(async (step) => {
        const definition = await store.loadDefinition(step.definitionId, step.definitionVersion);
        return { step, definition, spec: definition.byId.get(step.stepId) as StepSpec };
      }),
    );
    const contextOf = await contextFor(prepared);
    for (const { step, definition, spec } of prepared) {
      const key = `${step.runId}/${step.stepId}`;
      const controller = new AbortController();
      running.set(key, { controller, runId: step.runId });
      if (step.readyAt !== null)
        metrics?.dispatchLatency.observe(Math.max(0, step.startedAt - step.readyAt) / 1000);
      void runStep(step, spec, definition, contextOf(step, spec, definition), controller).then((outcome) => {
        running.delete(key);
        completions.push({ step, outcome });
        wake();
      });
    }
  }

  async function runStep(
    step: ClaimedStep,
    spec: StepSpec,
    definition: Definition,
    context: TemplateContext,
    controller: AbortController,
  ): Promise<Outcome> {
    let input: unknown;
    try {
      input = render(spec.input, context);
    } catch (error) {
      return {
        kind: 'failed',
        error: `input could not be rendered: ${(error as Error).message}`,
        retryable: false,
      };
    }
    const timeoutMs = EXECUTION_TIMEOUT_TYPES.has(spec.type)
      ? (spec.timeoutMs ?? options.defaultStepTimeoutMs)
      : null;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<Outcome>((resolve) => {
      if (timeoutMs === null) return;
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('step timed out'));
        resolve({
          kind: 'failed',
          error: `timed out after ${timeoutMs} ms`,
          retryable: true,
          timedOut: true,
          input,
        });
      }, timeoutMs);
    });
    try {
      const outcome = await Promise.race([
        execute(
          {
            step,
            spec,
            definition,
            input,
            idempotencyKey: `${step.runId}:${step.stepId}:${step.attempt}`,
            signal: controller.signal,
            now: Date.now(),
          },
          executorOptions,
        ),
        timeout,
      ]);
      if (timedOut)
        return {
          kind: 'failed',
          error: `timed out after ${timeoutMs} ms`,
          retryable: true,
          timedOut: true,
          input,
        };
      return outcome.kind === 'wait' || 'input' in outcome ? outcome : { ...outcome, input };
    } catch (error) {
      return { kind: 'failed', error: `step crashed: ${(error as Error).message}`, retryable: true, input };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Successes go through the batched path; failures, waits and approvals one by one. */
  async function applyCompletions(ctx: Parameters<Store['applySuccesses']>[0], batch: Completion[]) {
    const successes: Array<{ target: ClaimedStep; output: unknown; input: unknown }> = [];
    for (const { step, outcome } of batch) {
      if (outcome.kind === 'succeeded' && step.type !== 'approval')
        successes.push({ target: step, output: outcome.output, input: outcome.input });
      else
        await store.applyOutcome(
          ctx,
          step,
          { state: 'running', leaseOwner: options.workerId, attempt: step.attempt },
          outcome,
          options.workerId,
        );
    }
    await store.applySuccesses(ctx, successes, options.workerId);
  }

  async function turn(): Promise<boolean> {
    const batch = completions;
    completions = [];
    const capacity = options.work === false ? 0 : options.concurrency - running.size;
    if (batch.length === 0 && capacity <= 0) return false;
    let claimed: ClaimedStep[] = [];
    try {
      if (database.dialect === 'sqlite' || batch.length === 0) {
        // One transaction: SQLite's single writer cannot deadlock, and a chain's next step is claimed in
        // the transaction that completes its predecessor.
        await store.transaction(async (ctx) => {
          await applyCompletions(ctx, batch);
          claimed = capacity > 0 ? await store.claim(ctx, capacity) : [];
        });
      } else {
        // PostgreSQL with other writers: completing and claiming lock run rows in two sorted sets; in one
        // transaction two engines could take them in crossing orders and deadlock (1 s each to detect).
        await store.transaction((ctx) => applyCompletions(ctx, batch));
        if (capacity > 0)
          await store.transaction(async (ctx) => {
            claimed = await store.claim(ctx, capacity);
          });
      }
    } catch (error) {
      // The database is unreachable or refused: keep the completions for the next turn.
      options.log?.('engine turn failed; retrying', { error: (error as Error).message });
      completions = batch.concat(completions);
      metrics?.errors.inc();
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 500));
      return false;
    }
    if (claimed.length) await dispatch(claimed);
    return claimed.length === capacity && capacity > 0;
  }

  function afterCommit(ctx: {
    abortRuns: Set<string>;
    nextAt: number;
    finished: Array<{ state: string }>;
    stepResults: Array<{ type: string; state: string; durationMs: number }>;
  }) {
    for (const runId of ctx.abortRuns) signals.emit('abort', runId);
    if (Number.isFinite(ctx.nextAt)) scheduleAt(ctx.nextAt);
    for (const f of ctx.finished) metrics?.runsCompleted.inc({ state: f.state });
    for (const s of ctx.stepResults)
      metrics?.stepDuration.observe({ type: s.type, state: s.state }, s.durationMs / 1000);
  }

  async function loop() {
    while (!stopped) {
      woken = false;
      const more = await turn();
      if (stopped) break;
      if (more || woken || completions.length) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollIntervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  }

  async function sweep() {
    try {
      await store.transaction(async (ctx) => {
        await store.sweepLeases(ctx);
        await store.sweepDeadlines(ctx);
      });
      if (running.size) await store.heartbeat();
    } catch (error) {
      metrics?.errors.inc();
      options.log?.('engine sweep failed', { error: (error as Error).message });
    }
  }

  const engine = {
    signals,
    store,
    startRun,
    start() {
      if (!stopped) return;
      stopped = false;
      loopDone = loop();
      let sweeping = false;
      const sweeper = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void sweep().finally(() => {
          sweeping = false;
        });
      }, options.sweepIntervalMs);
      sweeper.unref();
      timers = [sweeper];
    },
    /** Stops claiming, lets running steps finish (up to `graceMs`, then aborts them) and commits their results. */
    async stop(graceMs = 5000) {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      if (nextTimer) clearTimeout(nextTimer);
      wakeUp?.();
      await loopDone;
      const deadline = Date.now() + graceMs;
      while (running.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      for (const entry of running.values()) entry.controller.abort(new Error('shutting down'));
      while (running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      if (completions.length) {
        const batch = completions;
        completions = [];
        // Results that cannot be committed now are not lost: their leases expire and another worker retries.
        await store
          .transaction(async (ctx) => {
            await applyCompletions(ctx, batch);
          })
          .catch(() => {});
      }
    },
    inflight: () => running.size,
  };
  return engine;
}

export type Engine = ReturnType<typeof createEngine>;
