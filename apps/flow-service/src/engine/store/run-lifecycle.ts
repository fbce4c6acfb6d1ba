import type { Transaction } from 'kysely';
import type { FlowSchema, RunState, StepState } from '../../db/schema.ts';
import type { Definition } from '../../definitions/definition.ts';
import { render } from '../../definitions/template.ts';
import type { Outcome } from '../outcome.ts';
import {
  ACTIVE_RUN,
  ACTIVE_STEP,
  json,
  NO_LEASE,
  type StepTarget,
  type StoreCore,
  type TxContext,
} from './context.ts';

// How runs begin and end inside a transaction: taking a concurrency slot, ending in a terminal state (and
// everything that follows from it: leftovers cancelled, the slot handed on, the parent step told), and the
// deadline sweep.

/** The run columns `afterRunFinished` needs, returned by the UPDATE that ended the run. */
export interface EndedRun {
  counted: number;
  definition_id: string;
  parent_run_id: string | null;
  parent_step_id: string | null;
}

export type StepOutputRow = { step_id: string; output: string | null };

/** A child run's end, as the outcome of the parent step that waits for it. */
function childOutcome(runId: string, state: RunState, error: string | null, output: unknown): Outcome {
  if (state === 'succeeded') return { kind: 'succeeded', output: output ?? null };
  return {
    kind: 'failed',
    error: `subflow run ${runId} ended ${state}${error ? `: ${error}` : ''}`,
    retryable: state !== 'cancelled',
    timedOut: state === 'timed_out',
  };
}

export async function stepTarget(
  trx: Transaction<FlowSchema>,
  runId: string,
  stepId: string,
): Promise<(StepTarget & { state: StepState }) | undefined> {
  const row = await trx
    .selectFrom('steps')
    .select([
      'run_id',
      'step_id',
      'definition_id',
      'definition_version',
      'type',
      'attempt',
      'started_at',
      'child_run_id',
      'state',
      'waited_at',
    ])
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    runId: row.run_id,
    stepId: row.step_id,
    definitionId: row.definition_id,
    definitionVersion: row.definition_version,
    type: row.type,
    attempt: row.attempt,
    startedAt: row.waited_at ?? row.started_at ?? Date.now(),
    childRunId: row.child_run_id,
    state: row.state,
  };
}

/** Ends a run in a terminal state: cancels what is left, frees its concurrency slot, tells its parent. */
export async function finishRun(
  core: StoreCore,
  ctx: TxContext,
  runId: string,
  state: RunState,
  error: string | null,
  output?: unknown,
): Promise<boolean> {
  const run = await ctx.trx
    .updateTable('runs')
    .set({ state, error, output: json(output ?? null), finished_at: ctx.now, updated_at: ctx.now })
    .where('id', '=', runId)
    .where('state', 'in', ACTIVE_RUN)
    .returning(['counted', 'definition_id', 'parent_run_id', 'parent_step_id'])
    .executeTakeFirst();
  if (!run) return false;
  await afterRunFinished(core, ctx, runId, state, error, output, run);
  return true;
}

export async function finishSucceeded(
  core: StoreCore,
  ctx: TxContext,
  runId: string,
  definition: Definition,
) {
  const rows = await ctx.trx
    .selectFrom('steps')
    .select(['step_id', 'output'])
    .where('run_id', '=', runId)
    .execute();
  await finishRun(core, ctx, runId, 'succeeded', null, await succeededOutput(ctx, runId, definition, rows));
}

/** A succeeded run's output: the definition's `output` template, or the outputs of its sink steps. */
export async function succeededOutput(
  ctx: TxContext,
  runId: string,
  definition: Definition,
  rows: StepOutputRow[],
): Promise<unknown> {
  const outputs: Record<string, { output: unknown }> = {};
  for (const row of rows)
    outputs[row.step_id] = { output: row.output === null ? null : JSON.parse(row.output) };
  if (definition.output === undefined) {
    const sinks: Record<string, unknown> = {};
    for (const id of definition.sinks) sinks[id] = outputs[id]?.output ?? null;
    return sinks;
  }
  const run = await ctx.trx
    .selectFrom('runs')
    .select('input')
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  return render(definition.output, {
    input: JSON.parse(run.input),
    run: { id: runId, definition: definition.id, version: definition.version },
    steps: outputs,
  });
}

/**
 * Deletes the run's user; its refresh token is revoked after the commit unless another run (a subflow, its
 * parent) still holds the same one.
 */
async function releaseActingUser(ctx: TxContext, runId: string): Promise<void> {
  const kept = await ctx.trx
    .selectFrom('run_acting_users')
    .select('sealed_token')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  await ctx.trx.deleteFrom('run_acting_users').where('run_id', '=', runId).execute();
  if (!kept?.sealed_token) return;
  const shared = await ctx.trx
    .selectFrom('run_acting_users')
    .select('run_id')
    .where('sealed_token', '=', kept.sealed_token)
    .executeTakeFirst();
  if (!shared) ctx.releasedTokens.push(kept.sealed_token);
}

/** What follows a run's end: cancel its leftovers, events, free its concurrency slot, tell its parent. */
export async function afterRunFinished(
  core: StoreCore,
  ctx: TxContext,
  runId: string,
  state: RunState,
  error: string | null,
  output: unknown,
  run: EndedRun,
): Promise<void> {
  ctx.finished.push({ state });
  // The user's token is kept only while the run can still act for them.
  await releaseActingUser(ctx, runId);
  if (state !== 'succeeded') await cancelLeftovers(core, ctx, runId, state);
  ctx.events.push({ runId, type: `run.${state}`, data: error ? { error } : undefined });
  if (run.counted) await releaseSlot(core, ctx, run.definition_id);
  if (run.parent_run_id && run.parent_step_id)
    await completeParentStep(core, ctx, runId, run.parent_run_id, run.parent_step_id, () =>
      childOutcome(runId, state, error, output),
    );
}

/** Cancels the steps a run that did not succeed leaves behind, and their child runs. */
async function cancelLeftovers(core: StoreCore, ctx: TxContext, runId: string, state: RunState) {
  const left = await ctx.trx
    .updateTable('steps')
    .set({ state: 'cancelled', ready_at: null, ...NO_LEASE, finished_at: ctx.now })
    .where('run_id', '=', runId)
    .where('state', 'in', ACTIVE_STEP)
    .returning(['step_id', 'child_run_id'])
    .execute();
  for (const step of left) {
    ctx.events.push({ runId, stepId: step.step_id, type: 'step.cancelled' });
    if (step.child_run_id)
      await finishRun(core, ctx, step.child_run_id, 'cancelled', `parent run ${runId} ended ${state}`);
  }
  ctx.abortRuns.add(runId);
}

/** A subflow step completes with its child run, if it still waits for this child. */
async function completeParentStep(
  core: StoreCore,
  ctx: TxContext,
  childRunId: string,
  parentRunId: string,
  parentStepId: string,
  outcome: () => Outcome,
) {
  const parent = await stepTarget(ctx.trx, parentRunId, parentStepId);
  if (!parent || parent.childRunId !== childRunId) return;
  await core.applyOutcome(
    ctx,
    { ...parent, childRunId: null },
    { state: 'active' },
    outcome(),
    `subflow:${childRunId}`,
  );
}

async function releaseSlot(core: StoreCore, ctx: TxContext, definitionId: string) {
  await ctx.trx
    .updateTable('definition_heads')
    .set((eb) => ({ active_runs: eb('active_runs', '-', 1) }))
    .where('id', '=', definitionId)
    .where('active_runs', '>', 0)
    .execute();
  // The freed slot goes to the oldest queued run, in the same transaction.
  const queued = await ctx.trx
    .selectFrom('runs')
    .select(['id', 'definition_version'])
    .where('definition_id', '=', definitionId)
    .where('state', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .limit(5)
    .execute();
  for (const run of queued) {
    const definition = await core.loadDefinition(definitionId, run.definition_version);
    if (!(await admit(ctx, run.id, definition))) break;
  }
}

/** Takes a slot when the definition has a concurrency limit; false when none is free. */
async function takeSlot(ctx: TxContext, definition: Definition): Promise<boolean> {
  if (definition.concurrency === null) return true;
  const slot = await ctx.trx
    .updateTable('definition_heads')
    .set((eb) => ({ active_runs: eb('active_runs', '+', 1) }))
    .where('id', '=', definition.id)
    .where('active_runs', '<', definition.concurrency)
    .executeTakeFirst();
  return Number(slot.numUpdatedRows) > 0;
}

/** Takes a concurrency slot if the definition has a limit; starts the run when it got one (or needs none). */
export async function admit(ctx: TxContext, runId: string, definition: Definition): Promise<boolean> {
  const { trx, now } = ctx;
  if (!(await takeSlot(ctx, definition))) return false;
  const started = await trx
    .updateTable('runs')
    .set({
      state: 'running',
      started_at: now,
      updated_at: now,
      counted: definition.concurrency !== null ? 1 : 0,
      deadline_at: definition.deadlineMs === null ? null : now + definition.deadlineMs,
    })
    .where('id', '=', runId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (Number(started.numUpdatedRows) === 0) return false;
  await trx
    .updateTable('steps')
    .set({ ready_at: now })
    .where('run_id', '=', runId)
    .where('state', '=', 'pending')
    .where('deps_remaining', '=', 0)
    .execute();
  ctx.events.push({ runId, type: 'run.started' });
  ctx.wake = true;
  return true;
}

/** Runs past their deadline end `timed_out`. */
export async function sweepDeadlines(core: StoreCore, ctx: TxContext): Promise<number> {
  const due = await ctx.trx
    .selectFrom('runs')
    .select('id')
    .where('deadline_at', '<=', ctx.now)
    .where('state', 'in', ACTIVE_RUN)
    .limit(100)
    .execute();
  for (const run of due) await finishRun(core, ctx, run.id, 'timed_out', 'the run passed its deadline');
  return due.length;
}

export async function nextDeadline(core: StoreCore): Promise<number | null> {
  const row = await core.database.db
    .selectFrom('runs')
    .select((eb) => eb.fn.min('deadline_at').as('next'))
    .where('state', 'in', ACTIVE_RUN)
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}
