import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import { nextFire } from './cron.ts';

// Schedules as the API reads and edits them; scheduler.ts creates them and fires the due ones.

type Db = Database<FlowSchema>['db'];
type ScheduleRow = FlowSchema['schedules'];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A schedule as the API shows it: times in ISO 8601, the input parsed. */
export function scheduleView(row: ScheduleRow) {
  return {
    id: row.id,
    definition: row.definition_id,
    cron: row.cron,
    timezone: row.timezone,
    overlap: row.overlap,
    input: JSON.parse(row.input),
    enabled: row.enabled === 1,
    catchup_ms: row.catchup_ms,
    next_fire_at: iso(row.next_fire_at),
    last_fire_at: iso(row.last_fire_at),
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
  };
}

function findSchedule(db: Db, id: string) {
  return db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Pauses or resumes a schedule. Resuming starts from now: the time spent paused is not caught up. */
async function setEnabled(db: Db, id: string, enabled: boolean) {
  const row = await findSchedule(db, id);
  if (!row) return undefined;
  const now = Date.now();
  const resumed = enabled && !row.enabled;
  const next = resumed ? nextFire(row.cron, row.timezone, now) : row.next_fire_at;
  await db
    .updateTable('schedules')
    .set({ enabled: enabled ? 1 : 0, next_fire_at: next, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  return scheduleView({ ...row, enabled: enabled ? 1 : 0, next_fire_at: next });
}

export function createSchedulesRepository(database: Database<FlowSchema>) {
  const { db } = database;
  return {
    async list() {
      return (await db.selectFrom('schedules').selectAll().orderBy('created_at').execute()).map(scheduleView);
    },
    async get(id: string) {
      const row = await findSchedule(db, id);
      return row && scheduleView(row);
    },
    setEnabled: (id: string, enabled: boolean) => setEnabled(db, id, enabled),
    /** False when there was no such schedule. */
    async remove(id: string) {
      const result = await db.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type SchedulesRepository = ReturnType<typeof createSchedulesRepository>;
