import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ADMIN,
  type AdminHarness,
  bearer,
  failedFields,
  InjectBrowser,
  startAdminHarness,
} from '../test-support.ts';

describeEachDialect('admin API: activity statistics', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    // One good sign-in (and its tokens) and two refused passwords.
    await h.userTokens(ADMIN);
    const browser = new InjectBrowser(h.app);
    await h.postSignIn(browser, ADMIN.login, 'not-the-password-1');
    await h.postSignIn(browser, 'nobody-here', 'not-the-password-2');
    // The provider's token events are recorded in the background, in batches 10 ms apart.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterAll(() => h?.close());

  const activity = (qs = '', headers = auth) =>
    h.app.inject({ method: 'GET', url: `/api/admin/stats/activity${qs}`, headers });

  it('answers 24 hourly buckets by default, the last holding what just happened', async () => {
    const response = await activity();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ range: '24h', bucket_seconds: 3600 });
    expect(body.buckets).toHaveLength(24);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3_600_000);
    expect(body.buckets[0].start).toBe(body.from);
    // The machine's token, the user's token; the admin signed in once and failed once, a stranger once.
    expect(body.totals).toEqual({
      sign_ins_succeeded: 1,
      sign_ins_failed: 2,
      tokens_issued: 2,
      active_users: 1,
    });
    expect(body.buckets.at(-1)).toMatchObject(body.totals);
  });

  it('answers 7 daily buckets for range=7d', async () => {
    const body = (await activity('?range=7d')).json();
    expect(body).toMatchObject({ range: '7d', bucket_seconds: 86_400 });
    expect(body.buckets).toHaveLength(7);
    expect(body.buckets.at(-1).start).toMatch(/T00:00:00\.000Z$/);
    expect(body.totals.sign_ins_failed).toBe(2);
  });

  it('refuses an unknown range as a problem', async () => {
    for (const range of ['1y', '24H', '']) {
      const response = await activity(`?range=${range}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(failedFields(response)).toEqual(['querystring:/range']);
    }
    expect((await activity('?since=yesterday')).statusCode).toBe(400);
  });

  it('needs a token with admin:read', async () => {
    expect((await activity('', {})).statusCode).toBe(401);
    const other = bearer(await h.clientToken('test:read', h.machine, 'http://localhost:8080/test'));
    expect([401, 403]).toContain((await activity('', other)).statusCode);
  });
});
