import { EventEmitter } from 'node:events';
import { sql } from '@platform/db';
import type { Transaction } from 'kysely';
import type { FlowSchema } from '../db/schema.ts';

export interface PendingEvent {
  runId: string;
  type: string;
  stepId?: string | null;
  data?: unknown;
  /** Already allocated (a run's first events are numbered when the run row is inserted). */
  seq?: number;
}

/**
 * Appends events in one transaction. Each run's `event_seq` is bumped by one UPDATE for all runs at once;
 * that row lock orders the run's events in commit order, so a reader following `seq` never misses one that
 * commits late (which a global auto-increment id could not promise on PostgreSQL).
 */
export async function appendEvents(
  trx: Transaction<FlowSchema>,
  events: PendingEvent[],
  now: number,
  /** Locks run rows in a fixed order first (PostgreSQL), so concurrent writers cannot deadlock on them. */
  lockRuns?: (ids: string[]) => Promise<void>,
): Promise<void> {
  if (events.length === 0) return;
  const numbered = events.filter((event) => event.seq !== undefined);
  const rest = events.filter((event) => event.seq === undefined);
  const row = (event: PendingEvent, seq: number) => ({
    run_id: event.runId,
    seq,
    type: event.type,
    step_id: event.stepId ?? null,
    data: event.data === undefined ? null : JSON.stringify(event.data),
    created_at: now,
  });
  if (numbered.length)
    await trx
      .insertInto('events')
      .values(numbered.map((e) => row(e, e.seq as number)))
      .execute();
  if (rest.length === 0) return;
  const counts = new Map<string, number>();
  for (const event of rest) counts.set(event.runId, (counts.get(event.runId) ?? 0) + 1);
  const ids = [...counts.keys()];
  await lockRuns?.(ids);
  const increment = sql<number>`case ${sql.join(
    ids.map((id) => sql`when id = ${id} then ${counts.get(id)}`),
    sql` `,
  )} else 0 end`;
  const rows = await trx
    .updateTable('runs')
    .set((eb) => ({ event_seq: eb('event_seq', '+', increment) }))
    .where('id', 'in', ids)
    .returning(['id', 'event_seq'])
    .execute();
  const next = new Map<string, number>();
  for (const row of rows) next.set(row.id, Number(row.event_seq) - (counts.get(row.id) as number));
  const values = rest
    .filter((event) => next.has(event.runId))
    .map((event) => {
      const seq = (next.get(event.runId) as number) + 1;
      next.set(event.runId, seq);
      return row(event, seq);
    });
  if (values.length) await trx.insertInto('events').values(values).execute();
}

/** In-process notifications: `run` (id) after a run's events commit, `wake` when work may be ready. */
export class EngineSignals extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  runChanged(runId: string): void {
    this.emit('run', runId);
  }
  wake(): void {
    this.emit('wake');
  }
}
