import type { Database } from '@platform/db';
import type { Selectable } from 'kysely';
import { actingUserRow, type SealedActingUser } from '../acting-user/acting-users.repository.ts';
import type { FlowSchema } from '../db/schema.ts';
import type { Definition } from '../definitions/definition.ts';
import type { Outcome } from './outcome.ts';
import type { StartRunInput, Store, TxContext } from './store.ts';

// Operator actions on runs: cancel, retry from the failed step, rerun, and approval decisions.

export class ControlError extends Error {
  override name = 'ControlError';
  readonly code: 'not_found' | 'conflict';
  constructor(code: 'not_found' | 'conflict', message: string) {
    super(message);
    this.code = code;
  }
}

export interface Decision {
  decision: 'approve' | 'reject';
  comment?: string;
  by: string;
  /** The decider's username (their token's preferred_username), shown instead of the id. */
  byName?: string | null;
}

interface ControlDeps {
  database: Database<FlowSchema>;
  store: Store;
  startRun: (input: StartRunInput) => Promise<{ runId: string }>;
}

type StepRow = Pick<Selectable<FlowSchema['steps']>, 'step_id' | 'state' | 'attempt' | 'started_at'>;

async function requireRun({ database }: ControlDeps, runId: string) {
  const run = await database.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run) throw new ControlError('not_found', `run ${runId} does not exist`);
  return run;
}

async function cancel(deps: ControlDeps, runId: string, by: string): Promise<void> {
  const run = await requireRun(deps, runId);
  const { result } = await deps.store.transaction((ctx) =>
    deps.store.finishRun(ctx, runId, 'cancelled', `cancelled by ${by}`),
  );
  if (!result) throw new ControlError('conflict', `run ${runId} already ended (${run.state})`);
}

/** Puts a step that did not succeed back to pending, waiting only for its dependencies that did not succeed. */
async function resetStep(ctx: TxContext, runId: string, step: StepRow, depsRemaining: number) {
  await ctx.trx
    .updateTable('steps')
    .set({
      state: 'pending',
      attempt: step.started_at === null ? step.attempt : step.attempt + 1,
      deps_remaining: depsRemaining,
      ready_at: null,
      lease_owner: null,
      lease_expires_at: null,
      error: null,
      output: null,
      child_run_id: null,
      waited_at: null,
      decision: null,
      started_at: null,
      finished_at: null,
    })
    .where('run_id', '=', runId)
    .where('step_id', '=', step.step_id)
    .execute();
}

/** Resets the steps that did not succeed; returns their ids. */
async function resetUnfinishedSteps(ctx: TxContext, runId: string, definition: Definition) {
  const steps = await ctx.trx
    .selectFrom('steps')
    .select(['step_id', 'state', 'attempt', 'started_at'])
    .where('run_id', '=', runId)
    .execute();
  const succeeded = new Set(steps.filter((s) => s.state === 'succeeded').map((s) => s.step_id));
  const redo = steps.filter((s) => s.state !== 'succeeded');
  for (const step of redo) {
    const spec = definition.byId.get(step.step_id);
    await resetStep(ctx, runId, step, (spec?.dependsOn ?? []).filter((d) => !succeeded.has(d)).length);
  }
  return redo.map((s) => s.step_id);
}

/** Retries an ended run inside `ctx`; returns 'ok', or the state that forbids it. */
async function retryInTransaction(
  deps: ControlDeps,
  ctx: TxContext,
  runId: string,
  by: string,
  actingUser: SealedActingUser | null,
) {
  const { trx, now } = ctx;
  const run = await trx.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  if (!['failed', 'timed_out', 'cancelled'].includes(run.state)) return run.state;
  // The retried steps act for whoever retries the run, not for the user it acted for before.
  await trx.deleteFrom('run_acting_users').where('run_id', '=', runId).execute();
  if (actingUser) await trx.insertInto('run_acting_users').values(actingUserRow(runId, actingUser)).execute();
  const definition = await deps.store.loadDefinition(run.definition_id, run.definition_version);
  const redo = await resetUnfinishedSteps(ctx, runId, definition);
  await trx
    .updateTable('runs')
    .set({
      state: 'pending',
      error: null,
      output: null,
      finished_at: null,
      updated_at: now,
      steps_remaining: redo.length,
      counted: 0,
    })
    .where('id', '=', runId)
    .execute();
  ctx.events.push({ runId, type: 'run.retried', data: { by, steps: redo } });
  if (!(await deps.store.admit(ctx, runId, definition)))
    ctx.events.push({ runId, type: 'run.queued', data: { concurrency: definition.concurrency } });
  return 'ok';
}

/**
 * Retry from the failed step: steps that succeeded keep their outputs; the others go back to pending
 * (a step that ran gets a new attempt number, so a new idempotency key), and the run starts again.
 */
async function retry(
  deps: ControlDeps,
  runId: string,
  by: string,
  actingUser: SealedActingUser | null,
): Promise<void> {
  await requireRun(deps, runId);
  const { result } = await deps.store.transaction((ctx) =>
    retryInTransaction(deps, ctx, runId, by, actingUser),
  );
  if (result !== 'ok')
    throw new ControlError(
      'conflict',
      `run ${runId} is ${result}; only failed, timed out or cancelled runs can be retried`,
    );
}

/** A new run of the same definition version with the same input. */
async function rerun(
  deps: ControlDeps,
  runId: string,
  by: string,
  byName: string | null = null,
  actingUser: SealedActingUser | null = null,
): Promise<string> {
  const run = await requireRun(deps, runId);
  const { runId: created } = await deps.startRun({
    definitionId: run.definition_id,
    version: run.definition_version,
    input: JSON.parse(run.input),
    trigger: 'rerun',
    createdBy: by,
    createdByName: byName,
    rerunOf: runId,
    actingUser,
  });
  return created;
}

function decisionOutcome(decision: Decision, record: unknown): Outcome {
  if (decision.decision === 'approve') return { kind: 'succeeded', output: record };
  return {
    kind: 'failed',
    error: `rejected by ${decision.byName ?? decision.by}${decision.comment ? `: ${decision.comment}` : ''}`,
    retryable: false,
  };
}

/** Applies a decision inside `ctx`; returns 'ok', or why it cannot be applied. */
async function decideInTransaction(
  { store }: ControlDeps,
  ctx: TxContext,
  runId: string,
  stepId: string,
  decision: Decision,
) {
  const target = await store.stepTarget(ctx.trx, runId, stepId);
  if (!target) return 'missing';
  if (target.type !== 'approval') return 'not_approval';
  const record = {
    decision: decision.decision,
    comment: decision.comment ?? null,
    by: decision.by,
    by_name: decision.byName ?? null,
    at: new Date(ctx.now).toISOString(),
  };
  const outcome = decisionOutcome(decision, record);
  const applied = await store.applyOutcome(
    ctx,
    target,
    { state: 'waiting' },
    outcome,
    `decision:${decision.by}`,
  );
  if (!applied) return `state:${target.state}`;
  await ctx.trx
    .updateTable('steps')
    .set({ decision: JSON.stringify(record) })
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .execute();
  ctx.events.push({ runId, stepId, type: 'step.decided', data: record });
  return 'ok';
}

async function decide(deps: ControlDeps, runId: string, stepId: string, decision: Decision): Promise<void> {
  await requireRun(deps, runId);
  const { result } = await deps.store.transaction((ctx) =>
    decideInTransaction(deps, ctx, runId, stepId, decision),
  );
  if (result === 'missing') throw new ControlError('not_found', `run ${runId} has no step ${stepId}`);
  if (result === 'not_approval') throw new ControlError('conflict', `step ${stepId} is not an approval step`);
  if (result !== 'ok')
    throw new ControlError(
      'conflict',
      `step ${stepId} is not waiting for a decision (it is ${result.slice(6)})`,
    );
}

export function createRunControl(
  database: Database<FlowSchema>,
  store: Store,
  startRun: (input: StartRunInput) => Promise<{ runId: string }> = store.startRun,
) {
  const deps: ControlDeps = { database, store, startRun };
  return {
    cancel: (runId: string, by: string) => cancel(deps, runId, by),
    retry: (runId: string, by: string, actingUser: SealedActingUser | null = null) =>
      retry(deps, runId, by, actingUser),
    rerun: (runId: string, by: string, byName?: string | null, actingUser: SealedActingUser | null = null) =>
      rerun(deps, runId, by, byName ?? null, actingUser),
    decide: (runId: string, stepId: string, decision: Decision) => decide(deps, runId, stepId, decision),
  };
}

export type RunControl = ReturnType<typeof createRunControl>;
