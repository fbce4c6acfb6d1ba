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

/** What an edit may change; absent fields keep their value. */
export interface ScheduleChanges {
  cron?: string;
  timezone?: string;
  overlap?: 'skip' | 'allow';
  input?: Record<string, unknown>;
  enabled?: boolean;
}

/**
 * Applies an edit (cron and time zone already checked). A new cron or time zone, or a resume, fires from
 * now: the time spent paused, or under the old pattern, is not caught up.
 */
async function updateSchedule(db: Db, id: string, changes: ScheduleChanges) {
  const row = await findSchedule(db, id);
  if (!row) return undefined;
  const now = Date.now();
  const cron = changes.cron ?? row.cron;
  const timezone = changes.timezone ?? row.timezone;
  const enabled = changes.enabled === undefined ? row.enabled : changes.enabled ? 1 : 0;
  const retimed = cron !== row.cron || timezone !== row.timezone || (enabled === 1 && row.enabled !== 1);
  const edited: ScheduleRow = {
    ...row,
    cron,
    timezone,
    enabled,
    overlap: changes.overlap ?? row.overlap,
    input: changes.input === undefined ? row.input : JSON.stringify(changes.input),
    next_fire_at: retimed ? nextFire(cron, timezone, now) : row.next_fire_at,
    updated_at: now,
  };
  const { id: _id, created_at: _created, created_by: _by, definition_id: _definition, ...columns } = edited;
  await db.updateTable('schedules').set(columns).where('id', '=', row.id).execute();
  return scheduleView(edited);
}

export function createSchedulesRepository(database: Database<FlowSchema>) {
  const { db } = database;
  return {
    /** Every schedule, or those of one definition, oldest first. */
    async list(definitionId?: string) {
      let query = db.selectFrom('schedules').selectAll().orderBy('created_at').orderBy('id');
      if (definitionId !== undefined) query = query.where('definition_id', '=', definitionId);
      return (await query.execute()).map(scheduleView);
    },
    /** The stored schedule itself (cron and time zone unparsed), for checking an edit. */
    find: (id: string) => findSchedule(db, id),
    async get(id: string) {
      const row = await findSchedule(db, id);
      return row && scheduleView(row);
    },
    update: (id: string, changes: ScheduleChanges) => updateSchedule(db, id, changes),
    /** False when there was no such schedule. */
    async remove(id: string) {
      const result = await db.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type SchedulesRepository = ReturnType<typeof createSchedulesRepository>;
