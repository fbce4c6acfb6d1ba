import type { Database } from '@platform/db';
import type { Transaction } from 'kysely';
import type { FlowSchema } from '../../db/schema.ts';
import { appendEvents, type EngineSignals } from '../events.ts';
import type { Guard } from '../outcome.ts';
import type { StoreOptions, TxContext } from './context.ts';

// The dialect-aware transaction helpers: one retrying transaction per unit of work, run-row locking in a
// fixed order, and the guard that makes late or duplicate completions update nothing.

const RETRIES = 5;

/** PostgreSQL's deadlock and serialization failures: the transaction can simply run again. */
function isRetryableTxError(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '40P01' || code === '40001';
}

function emptyContext(trx: Transaction<FlowSchema>, now: number): TxContext {
  return {
    trx,
    now,
    events: [],
    abortRuns: new Set(),
    wake: false,
    nextAt: Number.POSITIVE_INFINITY,
    finished: [],
    stepResults: [],
    releasedTokens: [],
  };
}

/**
 * PostgreSQL: takes the row locks of these runs in id order before they are updated. Engines on several
 * instances update overlapping runs (a fan-out's branches finish on different workers); locking in one
 * order turns would-be deadlocks (each costing deadlock_timeout, 1 s) into short waits. SQLite has a
 * single writer and needs none. Rows this transaction already holds are not locked again.
 */
export async function lockRuns(
  dialect: Database<FlowSchema>['dialect'],
  trx: Transaction<FlowSchema>,
  ids: string[],
): Promise<void> {
  if (dialect !== 'postgres' || ids.length === 0) return;
  await trx
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', [...new Set(ids)].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Restricts a steps UPDATE to the row state the outcome expects (see `Guard`). */
export function guardWhere<Q extends { where: (...args: never[]) => Q }>(query: Q, guard: Guard): Q {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's where overloads do not survive the generic.
  const q = query as any;
  if (guard.state === 'running')
    return q
      .where('state', '=', 'running')
      .where('lease_owner', '=', guard.leaseOwner)
      .where('attempt', '=', guard.attempt);
  if (guard.state === 'waiting') return q.where('state', '=', 'waiting');
  return q.where('state', 'in', ['running', 'waiting']);
}

export type RunTransaction = <T>(
  work: (ctx: TxContext) => Promise<T>,
) => Promise<{ result: T; ctx: TxContext }>;

/**
 * Runs `work` in one transaction, retrying on PostgreSQL deadlocks/serialization failures (two instances
 * touching the same runs), then announces what changed.
 */
export function createTransaction(
  database: Database<FlowSchema>,
  signals: EngineSignals,
  options: Pick<StoreOptions, 'onCommit'>,
  clock: () => number,
): RunTransaction {
  async function attempt<T>(work: (ctx: TxContext) => Promise<T>) {
    let ctx!: TxContext;
    const result = await database.db.transaction().execute(async (trx) => {
      ctx = emptyContext(trx, clock());
      const value = await work(ctx);
      await appendEvents(trx, ctx.events, ctx.now, (ids) => lockRuns(database.dialect, trx, ids));
      return value;
    });
    return { result, ctx };
  }

  function announce(ctx: TxContext) {
    options.onCommit?.(ctx);
    for (const runId of new Set(ctx.events.map((e) => e.runId))) signals.runChanged(runId);
    if (ctx.wake) signals.wake();
  }

  return async function transaction<T>(work: (ctx: TxContext) => Promise<T>) {
    for (let tries = 1; ; tries += 1) {
      try {
        const committed = await attempt(work);
        announce(committed.ctx);
        return committed;
      } catch (error) {
        if (tries < RETRIES && isRetryableTxError(error)) continue;
        throw error;
      }
    }
  };
}
