import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuditLog } from '../../audit/audit-log.ts';
import { ADMIN, type AdminHarness, bearer, startAdminHarness } from '../test-support.ts';

// The audit log names people and clients, not ids: names are resolved when the log is read, so a renamed
// user shows their current name and a deleted one is marked as such.

interface Row {
  id: number;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_deleted: boolean;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  target_deleted: boolean;
  client_id: string | null;
  client_name: string | null;
  ip: string | null;
  user_agent: string | null;
}

const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

describeEachDialect('admin API: audit log names people and clients', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  // The provider's token events reach the log in batches a few milliseconds apart: tests poll for them.
  const rows = async (qs: string): Promise<Row[]> =>
    (await h.app.inject({ method: 'GET', url: `/api/admin/audit${qs}`, headers: auth })).json().items;

  it('names the client of a client_credentials token event, and the client it acted through', async () => {
    await expect
      .poll(async () => (await rows(`?action=token.issue&actor=${h.machine.clientId}`)).length)
      .toBe(1);
    const [issued] = await rows(`?action=token.issue&actor=${h.machine.clientId}`);
    expect(issued).toMatchObject({
      actor_type: 'client',
      actor_id: h.machine.clientId,
      actor_name: 'admin API test machine',
      actor_deleted: false,
      client_name: 'admin API test machine',
    });
  });

  it("names the user of a user's token event", async () => {
    const admin = await h.users.findByLogin(ADMIN.login);
    await h.userTokens(ADMIN);
    await expect.poll(async () => (await rows(`?action=token.issue&actor=${admin!.id}`)).length).toBe(1);
    const [issued] = await rows(`?action=token.issue&actor=${admin!.id}`);
    expect(issued).toMatchObject({ actor_type: 'user', actor_name: 'admin', actor_deleted: false });
    expect(issued!.client_name).toBe('Platform console');
  });

  it('names a user target, and marks it deleted once the user is gone (the id stays)', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: auth,
      payload: {
        username: 'named-target',
        email: 'named-target@example.test',
        password: 'violet-harbor-lantern-9',
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const [before] = await rows(`?action=user.create&target_id=${id}`);
    expect(before).toMatchObject({ target_type: 'user', target_name: 'named-target', target_deleted: false });

    await h.users.delete(id);
    const [after] = await rows(`?action=user.create&target_id=${id}`);
    expect(after).toMatchObject({ target_id: id, target_name: null, target_deleted: true });
    const detail = (
      await h.app.inject({ method: 'GET', url: `/api/admin/audit/${after!.id}`, headers: auth })
    ).json();
    expect(detail).toMatchObject({ target_deleted: true, actor_name: 'admin API test machine' });
  });

  it('marks a deleted client actor, keeping the name it had when it acted', async () => {
    await createAuditLog(h.db).record({
      actorType: 'client',
      actorId: 'gone-client',
      actorName: 'Old robot',
      action: 'role.create',
      outcome: 'success',
    });
    const [row] = await rows('?actor=gone-client');
    expect(row).toMatchObject({ actor_name: 'Old robot', actor_deleted: true, client_name: null });
  });

  it("records a trusted proxy's forwarded address and user agent", async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/admin/roles',
      headers: { ...auth, 'x-forwarded-for': '198.51.100.23', 'x-forwarded-user-agent': BROWSER_UA },
      payload: { name: 'forwarded-by-console' },
    });
    const [row] = await rows('?action=role.create&limit=1');
    expect(row).toMatchObject({ ip: '198.51.100.23', user_agent: BROWSER_UA });
  });

  it('ignores forwarded values from a caller outside the trusted proxies: its own address and agent', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/admin/roles',
      remoteAddress: '203.0.113.50',
      headers: {
        ...auth,
        'user-agent': 'curl/8.5.0',
        'x-forwarded-for': '198.51.100.99',
        'x-forwarded-user-agent': 'Spoofed/1.0',
      },
      payload: { name: 'forwarded-by-stranger' },
    });
    const [row] = await rows('?action=role.create&limit=1');
    expect(row).toMatchObject({ ip: '203.0.113.50', user_agent: 'curl/8.5.0' });
  });

  it("records the browser's address and user agent for a token refresh a console makes for it", async () => {
    const admin = await h.users.findByLogin(ADMIN.login);
    const { tokens } = await h.userTokens(ADMIN, { scope: 'openid offline_access' });
    const refreshed = await h.refresh(tokens.refresh_token!, {
      headers: { 'x-forwarded-for': '198.51.100.24', 'x-forwarded-user-agent': BROWSER_UA },
    });
    expect(refreshed.statusCode).toBe(200);
    const refreshes = async () =>
      (await rows(`?action=token.issue&actor=${admin!.id}`)).filter((row) => row.ip === '198.51.100.24');
    await expect.poll(async () => (await refreshes()).length).toBe(1);
    expect((await refreshes())[0]).toMatchObject({ user_agent: BROWSER_UA });
  });

  it('ignores a forwarded user agent on a token request from outside the trusted proxies', async () => {
    const admin = await h.users.findByLogin(ADMIN.login);
    const { tokens } = await h.userTokens(ADMIN, { scope: 'openid offline_access' });
    const refreshed = await h.refresh(tokens.refresh_token!, {
      remoteAddress: '203.0.113.51',
      headers: { 'user-agent': 'curl/8.5.0', 'x-forwarded-user-agent': 'Spoofed/1.0' },
    });
    expect(refreshed.statusCode).toBe(200);
    const refreshes = async () =>
      (await rows(`?action=token.issue&actor=${admin!.id}`)).filter((row) => row.ip === '203.0.113.51');
    await expect.poll(async () => (await refreshes()).length).toBe(1);
    expect((await refreshes())[0]).toMatchObject({ user_agent: 'curl/8.5.0' });
  });
});
