import { sql } from '@platform/db';
import type { ExpressionBuilder, UpdateObject } from 'kysely';
import type { FlowSchema, StepState } from '../../db/schema.ts';
import { backoffDelay, type StepSpec } from '../../definitions/definition.ts';
import type { PendingEvent } from '../events.ts';
import type { Guard, Outcome } from '../outcome.ts';
import { json, NO_LEASE, type StepTarget, type StoreCore, type TxContext } from './context.ts';
import { finishRun, finishSucceeded } from './run-lifecycle.ts';
import { guardWhere } from './transactions.ts';

// One step's outcome, applied: every outcome moves the step row (guarded by the state it expects), may
// record the attempt, announces one event and has follow-ups. What differs between waiting, succeeding,
// retrying and failing is a `Transition`, built by one small function per case.

type Failure = Extract<Outcome, { kind: 'failed' }>;

interface Transition {
  /** The step row's new columns. */
  columns: (eb: ExpressionBuilder<FlowSchema, 'steps'>) => UpdateObject<FlowSchema, 'steps'>;
  /** The attempt this outcome ends, for the attempts table (a wait ends none). */
  attempt: { state: StepState; error: string | null } | null;
  /** When the step becomes ready again (a delay, a retry's backoff); null when no timer is needed. */
  readyAt: number | null;
  event: Pick<PendingEvent, 'type' | 'data'>;
  /** What the step's change sets off in its run, once the row has moved. */
  followUp: (core: StoreCore, ctx: TxContext) => Promise<void>;
}

async function recordAttempt(
  ctx: TxContext,
  target: StepTarget,
  state: StepState,
  worker: string,
  error: string | null,
) {
  await ctx.trx
    .insertInto('attempts')
    .values({
      run_id: target.runId,
      step_id: target.stepId,
      attempt: target.attempt,
      state,
      worker,
      error,
      started_at: target.startedAt,
      finished_at: ctx.now,
    })
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
    .execute();
  ctx.stepResults.push({ type: target.type, state, durationMs: ctx.now - target.startedAt });
}

function waiting(
  ctx: TxContext,
  target: StepTarget,
  outcome: Extract<Outcome, { kind: 'wait' }>,
): Transition {
  const { now } = ctx;
  return {
    columns: () => ({
      state: 'waiting',
      ready_at: outcome.until,
      ...NO_LEASE,
      waited_at: now,
      child_run_id: outcome.childRunId ?? target.childRunId,
    }),
    attempt: null,
    readyAt: outcome.until,
    event: {
      type: 'step.waiting',
      data: {
        attempt: target.attempt,
        until: outcome.until === null ? null : new Date(outcome.until).toISOString(),
        ...(outcome.childRunId ? { childRunId: outcome.childRunId } : {}),
      },
    },
    // An approval shows its run `waiting` until it is decided.
    followUp: async (_core, ctx) => {
      if (outcome.awaitsDecision)
        await ctx.trx
          .updateTable('runs')
          .set({ state: 'waiting', updated_at: now })
          .where('id', '=', target.runId)
          .where('state', '=', 'running')
          .execute();
    },
  };
}

function succeeded(
  ctx: TxContext,
  target: StepTarget,
  outcome: Extract<Outcome, { kind: 'succeeded' }>,
): Transition {
  const { now } = ctx;
  return {
    columns: () => ({
      state: 'succeeded',
      output: json(outcome.output ?? null),
      error: null,
      finished_at: now,
      ready_at: null,
      ...NO_LEASE,
    }),
    attempt: { state: 'succeeded', error: null },
    readyAt: null,
    event: { type: 'step.succeeded', data: { attempt: target.attempt, durationMs: now - target.startedAt } },
    followUp: async (core, ctx) => {
      const definition = await core.loadDefinition(target.definitionId, target.definitionVersion);
      await releaseDependents(ctx, target, definition.dependents.get(target.stepId) ?? []);
      if (await countDownRun(ctx, target)) await finishSucceeded(core, ctx, target.runId, definition);
    },
  };
}

/** Counts this success in each dependent; one whose last dependency this was becomes ready. */
async function releaseDependents(ctx: TxContext, target: StepTarget, dependents: string[]) {
  if (dependents.length === 0) return;
  // One statement: right-hand sides read the old deps_remaining, so 1 means "this was the last one".
  await ctx.trx
    .updateTable('steps')
    .set((eb) => ({
      deps_remaining: eb('deps_remaining', '-', 1),
      ready_at: sql`case when deps_remaining = 1 then ${ctx.now} else ready_at end`,
    }))
    .where('run_id', '=', target.runId)
    .where('step_id', 'in', dependents)
    .where('state', '=', 'pending')
    .execute();
  ctx.wake = true;
}

/** Counts one finished step against its run; true when it was the run's last step. */
async function countDownRun(ctx: TxContext, target: StepTarget): Promise<boolean> {
  const run = await ctx.trx
    .updateTable('runs')
    .set((eb) => ({
      steps_remaining: eb('steps_remaining', '-', 1),
      updated_at: ctx.now,
      // A decided approval releases the run from `waiting`.
      state: sql`case when state = 'waiting' and ${target.type === 'approval' ? 1 : 0} = 1 then 'running' else state end`,
    }))
    .where('id', '=', target.runId)
    .where('state', 'in', ['running', 'waiting'])
    .returning(['steps_remaining'])
    .executeTakeFirst();
  return run !== undefined && Number(run.steps_remaining) <= 0;
}

function retrying(ctx: TxContext, target: StepTarget, outcome: Failure, spec: StepSpec): Transition {
  const delay = backoffDelay(spec.retry, target.attempt);
  const state = failedState(outcome);
  return {
    columns: (eb) => ({
      state: 'pending',
      attempt: eb('attempt', '+', 1),
      ready_at: ctx.now + delay,
      error: outcome.error,
      ...NO_LEASE,
      waited_at: null,
      child_run_id: null,
    }),
    attempt: { state, error: outcome.error },
    readyAt: ctx.now + delay,
    event: {
      type: 'step.retrying',
      data: {
        attempt: target.attempt,
        state,
        error: outcome.error,
        delayMs: delay,
        nextAttempt: target.attempt + 1,
      },
    },
    followUp: (core, ctx) => cancelChild(core, ctx, target),
  };
}

function failed(ctx: TxContext, target: StepTarget, outcome: Failure): Transition {
  const state = failedState(outcome);
  return {
    columns: () => ({ state, error: outcome.error, finished_at: ctx.now, ready_at: null, ...NO_LEASE }),
    attempt: { state, error: outcome.error },
    readyAt: null,
    event: { type: `step.${state}`, data: { attempt: target.attempt, error: outcome.error } },
    followUp: async (core, ctx) => {
      await cancelChild(core, ctx, target);
      const how = state === 'timed_out' ? 'timed out' : 'failed';
      await finishRun(core, ctx, target.runId, 'failed', `step ${target.stepId} ${how}: ${outcome.error}`);
    },
  };
}

const failedState = (outcome: Failure): StepState => (outcome.timedOut ? 'timed_out' : 'failed');

/** A subflow step that ends (or starts over) takes its child run down with it. */
async function cancelChild(core: StoreCore, ctx: TxContext, target: StepTarget) {
  if (target.childRunId)
    await finishRun(core, ctx, target.childRunId, 'cancelled', `parent step ${target.stepId} ended`);
}

async function transitionFor(
  core: StoreCore,
  ctx: TxContext,
  target: StepTarget,
  outcome: Outcome,
): Promise<Transition> {
  if (outcome.kind === 'wait') return waiting(ctx, target, outcome);
  if (outcome.kind === 'succeeded') return succeeded(ctx, target, outcome);
  // A failure needs the step's retry policy before it knows which transition it is.
  const definition = await core.loadDefinition(target.definitionId, target.definitionVersion);
  const spec = definition.byId.get(target.stepId) as StepSpec;
  if (outcome.retryable && target.attempt <= spec.retry.max) return retrying(ctx, target, outcome, spec);
  return failed(ctx, target, outcome);
}

/** Applies a step's outcome. Returns false when the guard no longer holds (the outcome is dropped). */
export async function applyOutcome(
  core: StoreCore,
  ctx: TxContext,
  target: StepTarget,
  guard: Guard,
  outcome: Outcome,
  worker: string,
): Promise<boolean> {
  const transition = await transitionFor(core, ctx, target, outcome);
  const input = 'input' in outcome && outcome.input !== undefined ? { input: json(outcome.input) } : {};
  const update = ctx.trx
    .updateTable('steps')
    .set((eb) => ({ ...transition.columns(eb), ...input }))
    .where('run_id', '=', target.runId)
    .where('step_id', '=', target.stepId);
  const updated = await guardWhere(update, guard).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  if (transition.attempt)
    await recordAttempt(ctx, target, transition.attempt.state, worker, transition.attempt.error);
  if (transition.readyAt !== null) ctx.nextAt = Math.min(ctx.nextAt, transition.readyAt);
  ctx.events.push({ runId: target.runId, stepId: target.stepId, ...transition.event });
  await transition.followUp(core, ctx);
  return true;
}
