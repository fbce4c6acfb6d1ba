import { sql } from '@platform/db';
import type { RawBuilder } from 'kysely';
import type { Definition } from '../../definitions/definition.ts';
import {
  ACTIVE_RUN,
  BATCH,
  json,
  NO_LEASE,
  type StoreCore,
  type SuccessItem,
  type TxContext,
} from './context.ts';
import { afterRunFinished, succeededOutput } from './run-lifecycle.ts';
import { lockRuns } from './transactions.ts';

// The hot path: many claimed steps that succeeded, applied with a fixed number of statements however many
// there are (one UPDATE of the steps, one INSERT of attempts, one UPDATE per distinct fan-in count for
// dependents, one UPDATE of the runs' counters, one SELECT of finished runs' outputs, one UPDATE of the
// finished runs). Approval steps are not batched (their success also changes the run's state).

const keyOf = (runId: string, stepId: string) => `${runId}\u0000${stepId}`;

/** What the applied successes mean for their runs, gathered in one pass. */
interface RunTally {
  /** Steps succeeded per run. */
  perRun: Map<string, number>;
  /** Dependencies satisfied per dependent step. */
  decrements: Map<string, { runId: string; stepId: string; by: number }>;
  definitionsOf: Map<string, Definition>;
}

/** A CASE over (run_id, step_id) giving each item's JSON text; PostgreSQL's jsonb columns need it cast. */
function jsonPerStep(core: StoreCore, items: SuccessItem[], value: (item: SuccessItem) => string | null) {
  const cases = sql<string>`case ${sql.join(
    items.map(
      (item) =>
        sql`when run_id = ${item.target.runId} and step_id = ${item.target.stepId} then ${value(item)}`,
    ),
    sql` `,
  )} end`;
  return asJsonColumn(core, cases);
}

function asJsonColumn(core: StoreCore, text: RawBuilder<string>) {
  return core.database.dialect === 'postgres' ? sql<string>`cast(${text} as jsonb)` : text;
}

export async function applySuccesses(
  core: StoreCore,
  ctx: TxContext,
  items: SuccessItem[],
  worker: string,
): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH)
    await applySuccessChunk(core, ctx, items.slice(i, i + BATCH), worker);
}

async function applySuccessChunk(core: StoreCore, ctx: TxContext, items: SuccessItem[], worker: string) {
  if (items.length === 0) return;
  await lockRuns(
    core.database.dialect,
    ctx.trx,
    items.map((item) => item.target.runId),
  );
  const applied = await markSucceeded(core, ctx, items, worker);
  if (applied.length === 0) return;
  await insertAttempts(ctx, applied, worker);
  const tally = await tallySuccesses(core, ctx, applied);
  await releaseDependents(ctx, tally.decrements);
  const finished = await countDownRuns(ctx, tally.perRun);
  if (finished.length > 0) await finishSucceededRuns(core, ctx, finished, tally.definitionsOf);
}

/** Moves the steps this worker still holds to `succeeded`; returns the items whose row moved. */
async function markSucceeded(core: StoreCore, ctx: TxContext, items: SuccessItem[], worker: string) {
  const byKey = new Map(items.map((item) => [keyOf(item.target.runId, item.target.stepId), item]));
  const updated = await ctx.trx
    .updateTable('steps')
    .set({
      state: 'succeeded',
      output: jsonPerStep(core, items, (item) => json(item.output ?? null)),
      input: jsonPerStep(core, items, (item) => json(item.input ?? null)),
      error: null,
      finished_at: ctx.now,
      ready_at: null,
      ...NO_LEASE,
    })
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('run_id', 'step_id', 'attempt'),
        'in',
        items.map((item) => tuple(item.target.runId, item.target.stepId, item.target.attempt)),
      ),
    )
    .where('state', '=', 'running')
    .where('lease_owner', '=', worker)
    .returning(['run_id', 'step_id'])
    .execute();
  return updated.map((row) => byKey.get(keyOf(row.run_id, row.step_id)) as SuccessItem);
}

async function insertAttempts(ctx: TxContext, applied: SuccessItem[], worker: string) {
  await ctx.trx
    .insertInto('attempts')
    .values(
      applied.map(({ target }) => ({
        run_id: target.runId,
        step_id: target.stepId,
        attempt: target.attempt,
        state: 'succeeded' as const,
        worker,
        error: null,
        started_at: target.startedAt,
        finished_at: ctx.now,
      })),
    )
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
    .execute();
}

/** Records each success (metrics, event) and counts what it means for runs and dependents. */
async function tallySuccesses(core: StoreCore, ctx: TxContext, applied: SuccessItem[]): Promise<RunTally> {
  const tally: RunTally = { perRun: new Map(), decrements: new Map(), definitionsOf: new Map() };
  for (const { target } of applied) {
    const durationMs = ctx.now - target.startedAt;
    ctx.stepResults.push({ type: target.type, state: 'succeeded', durationMs });
    ctx.events.push({
      runId: target.runId,
      stepId: target.stepId,
      type: 'step.succeeded',
      data: { attempt: target.attempt, durationMs },
    });
    tally.perRun.set(target.runId, (tally.perRun.get(target.runId) ?? 0) + 1);
    const definition = await core.loadDefinition(target.definitionId, target.definitionVersion);
    tally.definitionsOf.set(target.runId, definition);
    for (const dependent of definition.dependents.get(target.stepId) ?? []) {
      const key = keyOf(target.runId, dependent);
      const entry = tally.decrements.get(key) ?? { runId: target.runId, stepId: dependent, by: 0 };
      entry.by += 1;
      tally.decrements.set(key, entry);
    }
  }
  return tally;
}

/** One UPDATE per distinct count: a dependent whose count reaches zero becomes ready. */
async function releaseDependents(ctx: TxContext, decrements: RunTally['decrements']) {
  const byCount = new Map<number, Array<{ runId: string; stepId: string }>>();
  for (const entry of decrements.values()) byCount.set(entry.by, [...(byCount.get(entry.by) ?? []), entry]);
  for (const [by, targets] of byCount) {
    await ctx.trx
      .updateTable('steps')
      .set((eb) => ({
        deps_remaining: eb('deps_remaining', '-', by),
        ready_at: sql`case when deps_remaining = ${by} then ${ctx.now} else ready_at end`,
      }))
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('run_id', 'step_id'),
          'in',
          targets.map((t) => tuple(t.runId, t.stepId)),
        ),
      )
      .where('state', '=', 'pending')
      .execute();
    ctx.wake = true;
  }
}

/** Counts the successes against their runs; returns the runs that have no step left. */
async function countDownRuns(ctx: TxContext, perRun: Map<string, number>): Promise<string[]> {
  const runIds = [...perRun.keys()];
  const runs = await ctx.trx
    .updateTable('runs')
    .set((eb) => ({
      steps_remaining: eb(
        'steps_remaining',
        '-',
        sql<number>`case ${sql.join(
          runIds.map((id) => sql`when id = ${id} then ${perRun.get(id)}`),
          sql` `,
        )} else 0 end`,
      ),
      updated_at: ctx.now,
    }))
    .where('id', 'in', runIds)
    .where('state', 'in', ['running', 'waiting'])
    .returning(['id', 'steps_remaining'])
    .execute();
  return runs.filter((run) => Number(run.steps_remaining) <= 0).map((run) => run.id);
}

/** Every finished run in one UPDATE (their outputs differ, so a CASE), then each one's follow-ups. */
async function finishSucceededRuns(
  core: StoreCore,
  ctx: TxContext,
  finished: string[],
  definitionsOf: Map<string, Definition>,
) {
  const results = await runOutputs(ctx, finished, definitionsOf);
  const outputCase = sql<string>`case ${sql.join(
    finished.map((id) => sql`when id = ${id} then ${json(results.get(id) ?? null)}`),
    sql` `,
  )} end`;
  const ended = await ctx.trx
    .updateTable('runs')
    .set({
      state: 'succeeded',
      error: null,
      output: asJsonColumn(core, outputCase),
      finished_at: ctx.now,
      updated_at: ctx.now,
    })
    .where('id', 'in', finished)
    .where('state', 'in', ACTIVE_RUN)
    .returning(['id', 'counted', 'definition_id', 'parent_run_id', 'parent_step_id'])
    .execute();
  for (const run of ended)
    await afterRunFinished(core, ctx, run.id, 'succeeded', null, results.get(run.id), run);
}

async function runOutputs(ctx: TxContext, finished: string[], definitionsOf: Map<string, Definition>) {
  const outputs = await ctx.trx
    .selectFrom('steps')
    .select(['run_id', 'step_id', 'output'])
    .where('run_id', 'in', finished)
    .execute();
  const results = new Map<string, unknown>();
  for (const runId of finished) {
    const rows = outputs.filter((row) => row.run_id === runId);
    results.set(runId, await succeededOutput(ctx, runId, definitionsOf.get(runId) as Definition, rows));
  }
  return results;
}
