import { randomUUID } from 'node:crypto';
import type { Database } from '@platform/db';
import type { Selectable } from 'kysely';
import type { FlowSchema } from '../db/schema.ts';
import type { Engine } from '../engine/engine.ts';
import { nextFire } from './cron.ts';

export interface SchedulerOptions {
  intervalMs: number;
  /** Fire-time records kept per tick at most (a schedule far behind catches up over several ticks). */
  maxFiresPerTick?: number;
  now?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

type ScheduleRow = Selectable<FlowSchema['schedules']>;

export interface NewSchedule {
  definitionId: string;
  cron: string;
  timezone: string;
  overlap: 'skip' | 'allow';
  input: unknown;
  enabled: boolean;
  catchupMs: number;
  createdBy: string;
}

interface SchedulerDeps {
  database: Database<FlowSchema>;
  engine: Engine;
  options: SchedulerOptions;
  clock: () => number;
  maxFires: number;
}

/**
 * The fire times of `schedule` due by `now`: those within the catch-up window, how many fell outside it,
 * and the next fire time after them (infinite when the cron expression has no more).
 */
function dueFireTimes(schedule: ScheduleRow, now: number, maxFires: number) {
  const times: number[] = [];
  let at = schedule.next_fire_at as number;
  let skipped = 0;
  while (at <= now && times.length < maxFires) {
    if (at >= now - schedule.catchup_ms) times.push(at);
    else skipped += 1;
    const next = nextFire(schedule.cron, schedule.timezone, at);
    if (next === null) {
      at = Number.POSITIVE_INFINITY;
      break;
    }
    at = next;
  }
  return { times, skipped, next: at };
}

/** Moves the schedule past these fire times; false when another instance moved it first. */
async function claimFires(
  deps: SchedulerDeps,
  schedule: ScheduleRow,
  times: number[],
  next: number,
  now: number,
) {
  const claimed = await deps.database.db
    .updateTable('schedules')
    .set({
      next_fire_at: Number.isFinite(next) ? next : null,
      last_fire_at: times.at(-1) ?? schedule.last_fire_at,
      updated_at: now,
    })
    .where('id', '=', schedule.id)
    .where('next_fire_at', '=', schedule.next_fire_at)
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) > 0;
}

/** With overlap `skip`, a fire while an earlier run of the schedule is active is skipped. */
async function overlapsActiveRun(deps: SchedulerDeps, schedule: ScheduleRow, fireAt: number) {
  if (schedule.overlap !== 'skip') return false;
  const active = await deps.database.db
    .selectFrom('runs')
    .select('id')
    .where('schedule_id', '=', schedule.id)
    .where('state', 'in', ['pending', 'running', 'waiting'])
    .limit(1)
    .executeTakeFirst();
  if (!active) return false;
  deps.options.log?.('schedule fire skipped: previous run still active', {
    schedule: schedule.id,
    fire_at: new Date(fireAt).toISOString(),
    active: active.id,
  });
  return true;
}

/** Starts the run of one fire time; true when it started (or already existed). */
async function fire(deps: SchedulerDeps, schedule: ScheduleRow, fireAt: number): Promise<boolean> {
  if (await overlapsActiveRun(deps, schedule, fireAt)) return false;
  try {
    await deps.engine.startRun({
      definitionId: schedule.definition_id,
      input: { ...(JSON.parse(schedule.input) as object), scheduledAt: new Date(fireAt).toISOString() },
      idempotencyKey: `schedule:${schedule.id}:${fireAt}`,
      trigger: 'schedule',
      createdBy: `schedule:${schedule.id}`,
      scheduleId: schedule.id,
    });
    return true;
  } catch (error) {
    deps.options.log?.('schedule fire failed', { schedule: schedule.id, error: (error as Error).message });
    return false;
  }
}

/** Fires one due schedule; returns how many runs it started. */
async function fireSchedule(deps: SchedulerDeps, schedule: ScheduleRow, now: number): Promise<number> {
  const { times, skipped, next } = dueFireTimes(schedule, now, deps.maxFires);
  if (!(await claimFires(deps, schedule, times, next, now))) return 0; // another instance took this fire
  if (skipped)
    deps.options.log?.('schedule fire times outside the catch-up window skipped', {
      schedule: schedule.id,
      skipped,
    });
  let fired = 0;
  for (const fireAt of times) if (await fire(deps, schedule, fireAt)) fired += 1;
  return fired;
}

async function fireDue(deps: SchedulerDeps): Promise<number> {
  const now = deps.clock();
  const due = await deps.database.db
    .selectFrom('schedules')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_fire_at', '<=', now)
    .orderBy('next_fire_at')
    .limit(50)
    .execute();
  let fired = 0;
  for (const schedule of due) fired += await fireSchedule(deps, schedule, now);
  return fired;
}

async function createSchedule(deps: SchedulerDeps, input: NewSchedule) {
  const now = deps.clock();
  const row = {
    id: randomUUID(),
    definition_id: input.definitionId,
    cron: input.cron,
    timezone: input.timezone,
    overlap: input.overlap,
    input: JSON.stringify(input.input ?? {}),
    enabled: input.enabled ? 1 : 0,
    catchup_ms: input.catchupMs,
    next_fire_at: nextFire(input.cron, input.timezone, now),
    last_fire_at: null,
    created_by: input.createdBy,
    created_at: now,
    updated_at: now,
  };
  await deps.database.db.insertInto('schedules').values(row).execute();
  return row;
}

/**
 * Fires due schedules. Every instance runs it; a fire is claimed by moving the schedule's `next_fire_at`
 * forward with a compare-and-set on its old value, so exactly one instance fires each time. Fire times
 * missed while no instance ran are fired if they are within the schedule's catch-up window and recorded as
 * skipped otherwise. The run's Idempotency-Key is the schedule id and fire time, so even a fire repeated
 * after a crash between the two writes yields one run.
 */
export function createScheduler(database: Database<FlowSchema>, engine: Engine, options: SchedulerOptions) {
  const deps: SchedulerDeps = {
    database,
    engine,
    options,
    clock: options.now ?? Date.now,
    maxFires: options.maxFiresPerTick ?? 100,
  };
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  const tick = () => {
    if (ticking) return;
    ticking = fireDue(deps)
      .catch((error: unknown) => options.log?.('scheduler tick failed', { error: (error as Error).message }))
      .then(() => undefined)
      .finally(() => {
        ticking = null;
      });
  };
  return {
    fireDue: () => fireDue(deps),
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
    },
    create: (input: NewSchedule) => createSchedule(deps, input),
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
