import { randomUUID } from 'node:crypto';
import type { Database } from '@platform/db';
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

/**
 * Fires due schedules. Every instance runs it; a fire is claimed by moving the schedule's `next_fire_at`
 * forward with a compare-and-set on its old value, so exactly one instance fires each time. Fire times
 * missed while no instance ran are fired if they are within the schedule's catch-up window and recorded as
 * skipped otherwise. The run's Idempotency-Key is the schedule id and fire time, so even a fire repeated
 * after a crash between the two writes yields one run.
 */
export function createScheduler(database: Database<FlowSchema>, engine: Engine, options: SchedulerOptions) {
  const { db } = database;
  const clock = options.now ?? Date.now;
  const maxFires = options.maxFiresPerTick ?? 100;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function fireDue(): Promise<number> {
    const now = clock();
    const due = await db
      .selectFrom('schedules')
      .selectAll()
      .where('enabled', '=', 1)
      .where('next_fire_at', '<=', now)
      .orderBy('next_fire_at')
      .limit(50)
      .execute();
    let fired = 0;
    for (const schedule of due) {
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
      const claimed = await db
        .updateTable('schedules')
        .set({
          next_fire_at: Number.isFinite(at) ? at : null,
          last_fire_at: times.at(-1) ?? schedule.last_fire_at,
          updated_at: now,
        })
        .where('id', '=', schedule.id)
        .where('next_fire_at', '=', schedule.next_fire_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue; // another instance took this fire
      if (skipped)
        options.log?.('schedule fire times outside the catch-up window skipped', {
          schedule: schedule.id,
          skipped,
        });
      for (const fireAt of times) {
        if (schedule.overlap === 'skip') {
          const active = await db
            .selectFrom('runs')
            .select('id')
            .where('schedule_id', '=', schedule.id)
            .where('state', 'in', ['pending', 'running', 'waiting'])
            .limit(1)
            .executeTakeFirst();
          if (active) {
            options.log?.('schedule fire skipped: previous run still active', {
              schedule: schedule.id,
              fire_at: new Date(fireAt).toISOString(),
              active: active.id,
            });
            continue;
          }
        }
        try {
          await engine.startRun({
            definitionId: schedule.definition_id,
            input: { ...(JSON.parse(schedule.input) as object), scheduledAt: new Date(fireAt).toISOString() },
            idempotencyKey: `schedule:${schedule.id}:${fireAt}`,
            trigger: 'schedule',
            createdBy: `schedule:${schedule.id}`,
            scheduleId: schedule.id,
          });
          fired += 1;
        } catch (error) {
          options.log?.('schedule fire failed', { schedule: schedule.id, error: (error as Error).message });
        }
      }
    }
    return fired;
  }

  const tick = () => {
    if (ticking) return;
    ticking = fireDue()
      .catch((error: unknown) => options.log?.('scheduler tick failed', { error: (error as Error).message }))
      .then(() => undefined)
      .finally(() => {
        ticking = null;
      });
  };

  return {
    fireDue,
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
    async create(input: {
      definitionId: string;
      cron: string;
      timezone: string;
      overlap: 'skip' | 'allow';
      input: unknown;
      enabled: boolean;
      catchupMs: number;
      createdBy: string;
    }) {
      const now = clock();
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
      await db.insertInto('schedules').values(row).execute();
      return row;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
