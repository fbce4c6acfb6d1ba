import { sql } from '@platform/db';
import type { Selectable } from 'kysely';
import type { FlowSchema } from '../../db/schema.ts';
import type { ClaimedStep, StoreCore, TxContext } from './context.ts';

type ClaimedRow = Pick<
  Selectable<FlowSchema['steps']>,
  | 'run_id'
  | 'step_id'
  | 'definition_id'
  | 'definition_version'
  | 'type'
  | 'attempt'
  | 'ready_at'
  | 'waited_at'
  | 'child_run_id'
>;

// Work distribution between engines: a worker claims ready steps under a lease, keeps the lease alive
// while it executes them, and a lease nobody renews puts its step back in the queue.

/** Claims up to `limit` ready steps for this worker (SKIP LOCKED on PostgreSQL). */
export async function claim(core: StoreCore, ctx: TxContext, limit: number): Promise<ClaimedStep[]> {
  const { trx, now } = ctx;
  const { workerId, leaseMs } = core.options;
  const ready = trx
    .selectFrom('steps')
    .select(['run_id', 'step_id'])
    .where('ready_at', '<=', now)
    .where('state', 'in', ['pending', 'waiting'])
    .orderBy('ready_at')
    .limit(limit)
    .$if(core.database.dialect === 'postgres', (q) => q.forUpdate().skipLocked());
  const rows = await trx
    .updateTable('steps')
    .set({
      state: 'running',
      lease_owner: workerId,
      lease_expires_at: now + leaseMs,
      started_at: sql`coalesce(started_at, ${now})`,
    })
    .where(({ eb, refTuple }) => eb(refTuple('run_id', 'step_id'), 'in', ready.$asTuple('run_id', 'step_id')))
    .returning([
      'run_id',
      'step_id',
      'definition_id',
      'definition_version',
      'type',
      'attempt',
      'ready_at',
      'waited_at',
      'child_run_id',
    ])
    .execute();
  for (const row of rows)
    ctx.events.push({
      runId: row.run_id,
      stepId: row.step_id,
      type: row.waited_at ? 'step.woken' : 'step.started',
      data: { attempt: row.attempt, worker: workerId },
    });
  return rows.map((row) => claimedStep(row, now));
}

function claimedStep(row: ClaimedRow, now: number): ClaimedStep {
  return {
    runId: row.run_id,
    stepId: row.step_id,
    definitionId: row.definition_id,
    definitionVersion: row.definition_version,
    type: row.type,
    attempt: row.attempt,
    // A woken step (delay, approval, subflow timeout) continues the attempt that began when it started
    // waiting, so the attempt's duration includes the wait.
    startedAt: row.waited_at ?? now,
    claimedAt: now,
    childRunId: row.child_run_id,
    readyAt: row.ready_at,
    waitedAt: row.waited_at,
  };
}

/** Extends the leases of the steps this worker is executing. */
export async function heartbeat(core: StoreCore): Promise<void> {
  const now = core.clock();
  await core.database.db
    .updateTable('steps')
    .set({ lease_expires_at: now + core.options.leaseMs })
    .where('lease_owner', '=', core.options.workerId)
    .where('state', '=', 'running')
    .execute();
}

/**
 * Steps whose worker stopped heartbeating (crashed, killed, partitioned) go back to the queue with the
 * SAME attempt number, so the re-execution carries the same idempotency key as the lost one.
 */
export async function sweepLeases(ctx: TxContext): Promise<number> {
  const rows = await ctx.trx
    .updateTable('steps')
    .set({ state: 'pending', ready_at: ctx.now, lease_owner: null, lease_expires_at: null })
    .where('lease_expires_at', '<', ctx.now)
    .where('state', '=', 'running')
    .returning(['run_id', 'step_id', 'attempt', 'waited_at'])
    .execute();
  for (const row of rows) {
    // A woken step (delay, approval timeout) goes back to waiting; its wake time has passed, so it is claimed again.
    if (row.waited_at !== null)
      await ctx.trx
        .updateTable('steps')
        .set({ state: 'waiting' })
        .where('run_id', '=', row.run_id)
        .where('step_id', '=', row.step_id)
        .execute();
    ctx.events.push({
      runId: row.run_id,
      stepId: row.step_id,
      type: 'step.lease_expired',
      data: { attempt: row.attempt },
    });
  }
  if (rows.length) ctx.wake = true;
  return rows.length;
}

/** Steps ready to be claimed now, across every worker. */
export async function queueDepth(core: StoreCore): Promise<number> {
  const row = await core.database.db
    .selectFrom('steps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ready_at', '<=', core.clock())
    .where('state', 'in', ['pending', 'waiting'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
