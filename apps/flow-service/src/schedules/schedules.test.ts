import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowSchema } from '../db/schema.ts';
import { type Harness, type Json, startHarness } from '../test/harness.ts';
import { createScheduler } from './scheduler.ts';

const MINUTE = 60_000;

describeEachDialect('schedules', (temp) => {
  let h: Harness;
  let database: Database<FlowSchema>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    // The service's own scheduler stays idle in these tests; each test drives one with its own clock.
    await h.app.flow.scheduler.stop();
    // The service's own connection: a second SQLite connection in this process would block on its lock.
    database = h.app.flow.database;
    await h.define({
      id: 'tick',
      steps: [{ id: 'a', type: 'noop', input: { at: '{{ input.scheduledAt }}' } }],
    });
    await h.define({ id: 'slow-tick', steps: [{ id: 'a', type: 'delay', input: { duration: '1m' } }] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const scheduleRuns = async (scheduleId: string) =>
    database.db
      .selectFrom('runs')
      .select(['id', 'input', 'trigger'])
      .where('schedule_id', '=', scheduleId)
      .orderBy('created_at')
      .execute();

  it('validates cron, time zone and definition; computes the next fire time in the time zone', async () => {
    const badCron = await h.call('POST', '/flow/api/v1/schedules', {
      definition: 'tick',
      cron: 'every day at nine',
    });
    expect(badCron.status).toBe(400);
    expect(badCron.body.errors[0].path).toBe('/cron');
    const badZone = await h.call('POST', '/flow/api/v1/schedules', {
      definition: 'tick',
      cron: '0 9 * * *',
      timezone: 'Mars/Olympus',
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.detail).toMatch(/not an IANA time zone/);
    expect(
      (await h.call('POST', '/flow/api/v1/schedules', { definition: 'ghost', cron: '0 9 * * *' })).status,
    ).toBe(404);
    expect(
      (
        await h.call(
          'POST',
          '/flow/api/v1/schedules',
          { definition: 'tick', cron: '0 9 * * *' },
          { scope: 'flow:read' },
        )
      ).status,
    ).toBe(403);
    const created = await h.call('POST', '/flow/api/v1/schedules', {
      definition: 'tick',
      cron: '0 9 * * *',
      timezone: 'America/New_York',
      overlap: 'allow',
      input: { region: 'us' },
    });
    expect(created.status).toBe(201);
    const next = new Date(created.body.next_fire_at);
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hour: 'numeric',
      minute: 'numeric',
      hour12: false,
    }).format(next);
    expect(local).toBe('09:00');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const paused = await h.call('PATCH', `/flow/api/v1/schedules/${created.body.id}`, { enabled: false });
    expect(paused.body.enabled).toBe(false);
    expect((await h.call('GET', '/flow/api/v1/schedules')).body.schedules.map((s: Json) => s.id)).toContain(
      created.body.id,
    );
    expect((await h.call('DELETE', `/flow/api/v1/schedules/${created.body.id}`)).status).toBe(204);
    expect((await h.call('GET', `/flow/api/v1/schedules/${created.body.id}`)).status).toBe(404);
  });

  it('edits cron, time zone, input and overlap; a new cron fires from now; a bad one is a field error', async () => {
    const created = await h.call('POST', '/flow/api/v1/schedules', {
      definition: 'tick',
      cron: '0 9 * * *',
      enabled: false,
    });
    const url = `/flow/api/v1/schedules/${created.body.id}`;
    const edited = await h.call('PATCH', url, {
      cron: '*/5 * * * *',
      timezone: 'Europe/Paris',
      input: { region: 'eu' },
      overlap: 'allow',
      enabled: true,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      cron: '*/5 * * * *',
      timezone: 'Europe/Paris',
      input: { region: 'eu' },
      overlap: 'allow',
      enabled: true,
    });
    const next = Date.parse(edited.body.next_fire_at);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(5 * MINUTE);
    expect(new Date(next).getUTCMinutes() % 5).toBe(0);
    const badCron = await h.call('PATCH', url, { cron: 'every five minutes' });
    expect(badCron.status).toBe(400);
    expect(badCron.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badCron.body.errors).toEqual([{ path: '/cron', message: expect.stringMatching(/invalid/) }]);
    expect((await h.call('PATCH', url, { timezone: 'Mars/Olympus' })).body.errors[0].path).toBe('/timezone');
    expect((await h.call('PATCH', url, {})).status).toBe(400);
    expect((await h.call('PATCH', url, { input: [1] })).status).toBe(400);
    expect((await h.call('PATCH', url, { cron: '0 * * * *' }, { scope: 'flow:read' })).status).toBe(403);
    const unchanged = (await h.call('GET', url)).body;
    expect(unchanged).toMatchObject({ cron: '*/5 * * * *', timezone: 'Europe/Paris' });
    const listed = await h.call('GET', '/flow/api/v1/schedules?definition=tick');
    expect(listed.body.schedules.map((s: Json) => s.id)).toContain(created.body.id);
    expect((await h.call('GET', '/flow/api/v1/schedules?definition=slow-tick')).body.schedules).toEqual([]);
    await h.call('DELETE', url);
  });

  it('after a restart fires the missed times inside the catch-up window, skips older ones, and fires each once', async () => {
    const now = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
    const created = await h.call('POST', '/flow/api/v1/schedules', {
      definition: 'tick',
      cron: '* * * * *',
      overlap: 'allow',
      catchup_ms: 3 * MINUTE + 1000,
    });
    // As if the service had been down for ten minutes.
    await database.db
      .updateTable('schedules')
      .set({ next_fire_at: now - 30_000 - 10 * MINUTE })
      .where('id', '=', created.body.id)
      .execute();
    const clock = () => now;
    const one = createScheduler(database, h.app.flow.engine, { intervalMs: 1000, now: clock });
    const two = createScheduler(database, h.app.flow.engine, { intervalMs: 1000, now: clock });
    // Two instances tick at once: each fire time still starts one run.
    await Promise.all([one.fireDue(), two.fireDue()]);
    const runs = await scheduleRuns(created.body.id);
    const fired = runs.map((r) => Date.parse(JSON.parse(r.input).scheduledAt)).sort();
    // Window 3 min 1 s back from now: the fires 2.5, 1.5 and 0.5 minutes ago; the seven before are skipped.
    expect(fired).toEqual([now - 30_000 - 2 * MINUTE, now - 30_000 - MINUTE, now - 30_000]);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    const row = await database.db
      .selectFrom('schedules')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.next_fire_at).toBe(now + 30_000);
    await one.fireDue();
    expect(await scheduleRuns(created.body.id)).toHaveLength(3);
    const finished = await h.waitFor(runs[0]!.id);
    expect(finished.output.a.at).toBe(new Date(fired[0] as number).toISOString());
    await database.db.deleteFrom('schedules').where('id', '=', created.body.id).execute();
  });

  it('overlap skip: no new run while the previous one is active; allow starts one anyway', async () => {
    let now = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
    const scheduler = createScheduler(database, h.app.flow.engine, { intervalMs: 1000, now: () => now });
    const ids: Record<string, string> = {};
    for (const overlap of ['skip', 'allow']) {
      const created = await h.call('POST', '/flow/api/v1/schedules', {
        definition: 'slow-tick',
        cron: '* * * * *',
        overlap,
      });
      ids[overlap] = created.body.id;
      await database.db
        .updateTable('schedules')
        .set({ next_fire_at: now - 30_000 })
        .where('id', '=', created.body.id)
        .execute();
    }
    await scheduler.fireDue();
    now += MINUTE;
    await scheduler.fireDue();
    expect(await scheduleRuns(ids.skip as string)).toHaveLength(1);
    expect(await scheduleRuns(ids.allow as string)).toHaveLength(2);
    for (const run of [
      ...(await scheduleRuns(ids.skip as string)),
      ...(await scheduleRuns(ids.allow as string)),
    ])
      await h.call('POST', `/flow/api/v1/runs/${run.id}/cancel`);
    // With the previous run over, the next fire of the `skip` schedule starts a run again.
    now += MINUTE;
    await scheduler.fireDue();
    expect(await scheduleRuns(ids.skip as string)).toHaveLength(2);
  });
});
