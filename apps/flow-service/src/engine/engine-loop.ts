import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { StepSpec } from '../definitions/definition.ts';
import type { EngineSignals } from './events.ts';
import type { ExecutorOptions } from './executors.ts';
import type { EngineMetrics } from './metrics.ts';
import type { Outcome } from './outcome.ts';
import { runStep } from './run-step.ts';
import { loadTemplateContexts, type PreparedStep } from './step-context.ts';
import type { ClaimedStep, Store, TxContext } from './store.ts';

// The engine's loop: per turn it commits finished steps and claims ready ones, then executes the claimed
// steps concurrently; completions wake it at once, and a sweep expires leases and deadlines.

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

/** One engine's moving parts, shared by the loop's functions. */
export interface EngineState {
  database: Database<FlowSchema>;
  options: EngineOptions;
  signals: EngineSignals;
  store: Store;
  executors: ExecutorOptions;
  running: Map<string, Running>;
  completions: Completion[];
  stopped: boolean;
  /** Ends the loop's idle wait early. */
  wakeUp: (() => void) | null;
  woken: boolean;
  loopDone: Promise<void>;
  timers: NodeJS.Timeout[];
  nextTimer: NodeJS.Timeout | null;
}

export function wake(state: EngineState) {
  state.woken = true;
  state.wakeUp?.();
}

/** Stops the local executions of one run (it ended elsewhere in this process). */
export function abortRun(state: EngineState, runId: string) {
  for (const entry of state.running.values())
    if (entry.runId === runId) entry.controller.abort(new Error('run ended'));
}

function scheduleAt(state: EngineState, at: number) {
  if (!Number.isFinite(at)) return;
  const delay = Math.max(0, at - Date.now());
  if (state.nextTimer) clearTimeout(state.nextTimer);
  state.nextTimer = setTimeout(() => wake(state), delay);
  state.nextTimer.unref();
}

/** After each commit: stop ended runs' local work, arm the next timer, record metrics. */
export function afterCommit(state: EngineState, ctx: TxContext) {
  const metrics = state.options.metrics;
  for (const runId of ctx.abortRuns) state.signals.emit('abort', runId);
  if (Number.isFinite(ctx.nextAt)) scheduleAt(state, ctx.nextAt);
  for (const f of ctx.finished) metrics?.runsCompleted.inc({ state: f.state });
  for (const s of ctx.stepResults)
    metrics?.stepDuration.observe({ type: s.type, state: s.state }, s.durationMs / 1000);
  // Refresh tokens of ended runs are revoked at oauth-service (RFC 7009) once their rows are gone.
  if (ctx.releasedTokens.length)
    void state.options.executors.http.actingUsers
      ?.release(ctx.releasedTokens)
      .catch((error: Error) =>
        state.options.log?.('revoking an ended run’s refresh token failed', { error: error.message }),
      );
}

async function dispatch(state: EngineState, claimed: ClaimedStep[]) {
  const prepared: PreparedStep[] = await Promise.all(
    claimed.map(async (step) => {
      const definition = await state.store.loadDefinition(step.definitionId, step.definitionVersion);
      return { step, definition, spec: definition.byId.get(step.stepId) as StepSpec };
    }),
  );
  const contextOf = await loadTemplateContexts(state.database, prepared);
  const runOptions = { defaultStepTimeoutMs: state.options.defaultStepTimeoutMs, executors: state.executors };
  for (const item of prepared) {
    const { step } = item;
    const key = `${step.runId}/${step.stepId}`;
    const controller = new AbortController();
    state.running.set(key, { controller, runId: step.runId });
    if (step.readyAt !== null)
      state.options.metrics?.dispatchLatency.observe(Math.max(0, step.claimedAt - step.readyAt) / 1000);
    void runStep(item, contextOf(item), controller, runOptions).then((outcome) => {
      state.running.delete(key);
      state.completions.push({ step, outcome });
      wake(state);
    });
  }
}

/** Successes go through the batched path; failures, waits and approvals one by one. */
async function applyCompletions(state: EngineState, ctx: TxContext, batch: Completion[]) {
  const { store, options } = state;
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

/** Commits `batch` and claims up to `capacity` steps; returns the claimed steps. */
async function commitAndClaim(state: EngineState, batch: Completion[], capacity: number) {
  const { store } = state;
  let claimed: ClaimedStep[] = [];
  if (state.database.dialect === 'sqlite' || batch.length === 0) {
    // One transaction: SQLite's single writer cannot deadlock, and a chain's next step is claimed in
    // the transaction that completes its predecessor.
    await store.transaction(async (ctx) => {
      await applyCompletions(state, ctx, batch);
      claimed = capacity > 0 ? await store.claim(ctx, capacity) : [];
    });
    return claimed;
  }
  // PostgreSQL with other writers: completing and claiming lock run rows in two sorted sets; in one
  // transaction two engines could take them in crossing orders and deadlock (1 s each to detect).
  await store.transaction((ctx) => applyCompletions(state, ctx, batch));
  if (capacity > 0)
    await store.transaction(async (ctx) => {
      claimed = await store.claim(ctx, capacity);
    });
  return claimed;
}

/** One turn of the loop; true when it claimed all it could (more work is likely waiting). */
async function turn(state: EngineState): Promise<boolean> {
  const { options } = state;
  const batch = state.completions;
  state.completions = [];
  const capacity = options.work === false ? 0 : options.concurrency - state.running.size;
  if (batch.length === 0 && capacity <= 0) return false;
  let claimed: ClaimedStep[];
  try {
    claimed = await commitAndClaim(state, batch, capacity);
  } catch (error) {
    // The database is unreachable or refused: keep the completions for the next turn.
    options.log?.('engine turn failed; retrying', { error: (error as Error).message });
    state.completions = batch.concat(state.completions);
    options.metrics?.errors.inc();
    if (!state.stopped) await new Promise((resolve) => setTimeout(resolve, 500));
    return false;
  }
  if (claimed.length) await dispatch(state, claimed);
  return claimed.length === capacity && capacity > 0;
}

export async function loop(state: EngineState) {
  while (!state.stopped) {
    state.woken = false;
    const more = await turn(state);
    if (state.stopped) break;
    if (more || state.woken || state.completions.length) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, state.options.pollIntervalMs);
      state.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    state.wakeUp = null;
  }
}

export async function sweep(state: EngineState) {
  const { store, options } = state;
  try {
    await store.transaction(async (ctx) => {
      await store.sweepLeases(ctx);
      await store.sweepDeadlines(ctx);
    });
    if (state.running.size) await store.heartbeat();
  } catch (error) {
    options.metrics?.errors.inc();
    options.log?.('engine sweep failed', { error: (error as Error).message });
  }
}

/** Commits the completions left when the engine stops. */
export async function commitLeftovers(state: EngineState) {
  if (state.completions.length === 0) return;
  const batch = state.completions;
  state.completions = [];
  // Results that cannot be committed now are not lost: their leases expire and another worker retries.
  await state.store
    .transaction(async (ctx) => {
      await applyCompletions(state, ctx, batch);
    })
    .catch(() => {});
}
