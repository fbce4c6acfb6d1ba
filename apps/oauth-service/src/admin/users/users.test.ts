import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, PASSWORD, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: users', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  const create = (username: string, extra: object = {}) =>
    call('POST', '/api/admin/users', {
      username,
      email: `${username}@example.test`,
      password: PASSWORD,
      ...extra,
    });

  it('creates a user and records user.create without the password', async () => {
    const response = await create('alice', { display_name: 'Alice A.', must_change_password: true });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(response.headers.location).toBe(`/api/admin/users/${user.id}`);
    expect(user).toMatchObject({
      username: 'alice',
      email: 'alice@example.test',
      display_name: 'Alice A.',
      status: 'active',
      must_change_password: true,
      failed_login_count: 0,
      locked_until: null,
      last_login_at: null,
    });
    expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(user)).not.toMatch(/password_hash|argon2/);
    const [event] = await h.auditOf('user.create');
    expect(event).toMatchObject({
      targetType: 'user',
      targetId: user.id,
      actorType: 'client',
      actorId: h.machine.clientId,
      details: { username: 'alice', must_change_password: true },
    });
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
  });

  it('refuses bad input naming every field, in the API spelling', async () => {
    const response = await call('POST', '/api/admin/users', {
      username: '-x',
      email: 'not-an-email',
      password: 'short',
      display_name: 'bell\u0007',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
    expect(failedFields(response)).toEqual(
      expect.arrayContaining(['body:/username', 'body:/email', 'body:/password', 'body:/display_name']),
    );
    const schema = await call('POST', '/api/admin/users', {
      username: 'bob',
      email: 'b@example.test',
      extra: 1,
    });
    expect(schema.statusCode).toBe(400);
    expect(failedFields(schema)).toEqual(['body:/extra']);
    // Optional in the schema (an invitation has none), required by the accounts module otherwise.
    const noPassword = await call('POST', '/api/admin/users', { username: 'bob', email: 'b@example.test' });
    expect(failedFields(noPassword)).toEqual(['body:/password']);
    const wrongType = await create('typed', { must_change_password: 'yes' });
    expect(failedFields(wrongType)).toEqual(['body:/must_change_password']);
  });

  it('answers 409 for a taken username or email', async () => {
    expect((await create('dup-user')).statusCode).toBe(201);
    const again = await create('DUP-user', { email: 'other@example.test' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', field: 'username' });
    const email = await create('dup-user-2', { email: 'dup-user@example.test' });
    expect(email.statusCode).toBe(409);
    expect(email.json().field).toBe('email');
  });

  it('gets a user, and answers 404 for an unknown id', async () => {
    const { id } = (await create('getme')).json();
    expect((await call('GET', `/api/admin/users/${id}`)).json()).toMatchObject({ id, username: 'getme' });
    const missing = await call('GET', '/api/admin/users/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
    expect((await call('GET', '/api/admin/users/not-even-a-uuid')).statusCode).toBe(404);
  });

  it('lists with search, status filter and cursor paging', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await create(name);
    await call('POST', `/api/admin/users/${(await h.users.findByLogin('page-b'))!.id}/disable`);

    const first = await call('GET', '/api/admin/users?search=PAGE-&limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((u: { username: string }) => u.username)).toEqual(['page-a', 'page-b']);
    const cursor = first.json().next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await call('GET', `/api/admin/users?search=page-&limit=2&cursor=${cursor}`);
    expect(second.json()).toMatchObject({ items: [{ username: 'page-c' }], next_cursor: null });

    // Every cursor the document admits is a position: empty is the first page, past the end is empty.
    const again = await call('GET', '/api/admin/users?search=PAGE-&limit=2&cursor=');
    expect(again.json()).toEqual(first.json());
    const past = await call(
      'GET',
      `/api/admin/users?search=page-&cursor=${Buffer.from('zzz').toString('base64url')}`,
    );
    expect(past.json()).toEqual({ items: [], next_cursor: null });

    const disabled = await call('GET', '/api/admin/users?search=page-&status=disabled');
    expect(disabled.json().items.map((u: { username: string }) => u.username)).toEqual(['page-b']);
  });

  it('refuses bad list parameters naming them', async () => {
    const cursor = await call('GET', '/api/admin/users?cursor=not%20a%20cursor');
    expect(cursor.statusCode).toBe(400);
    expect(failedFields(cursor)).toEqual(['querystring:/cursor']);
    expect(failedFields(await call('GET', '/api/admin/users?limit=0'))).toEqual(['querystring:/limit']);
    expect(failedFields(await call('GET', '/api/admin/users?status=gone'))).toEqual(['querystring:/status']);
  });

  it('updates the profile, with 400, 404 and 409 where due', async () => {
    const { id } = (await create('renamed')).json();
    const response = await call('PATCH', `/api/admin/users/${id}`, {
      username: 'renamed-2',
      display_name: 'Renamed Two',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ username: 'renamed-2', display_name: 'Renamed Two' });
    const [event] = await h.auditOf('user.update');
    expect(event).toMatchObject({ targetId: id, details: { changed: ['display_name', 'username'] } });

    expect((await call('PATCH', `/api/admin/users/${id}`, {})).statusCode).toBe(400);
    expect(failedFields(await call('PATCH', `/api/admin/users/${id}`, { email: 'nope' }))).toEqual([
      'body:/email',
    ]);
    expect((await call('PATCH', `/api/admin/users/${id}`, { username: 'alice' })).statusCode).toBe(409);
    expect((await call('PATCH', '/api/admin/users/missing', { username: 'x-y-z' })).statusCode).toBe(404);
  });

  it('disables and enables, recording both', async () => {
    const { id } = (await create('toggle')).json();
    const disabled = await call('POST', `/api/admin/users/${id}/disable`);
    expect(disabled.json().status).toBe('disabled');
    expect((await call('POST', `/api/admin/users/${id}/enable`)).json().status).toBe('active');
    expect((await h.auditOf('user.disable'))[0]).toMatchObject({ targetId: id });
    expect((await h.auditOf('user.enable'))[0]).toMatchObject({ targetId: id });
    expect((await call('POST', '/api/admin/users/missing/disable')).statusCode).toBe(404);
  });

  it('resets a password: the new one signs in, the policy applies, the audit keeps no secret', async () => {
    const { id } = (await create('reset-me', {})).json();
    const fresh = 'amber-meadow-compass-42';
    const response = await call('POST', `/api/admin/users/${id}/password`, { password: fresh });
    expect(response.statusCode).toBe(204);
    const [event] = await h.auditOf('user.password_reset');
    expect(event).toMatchObject({ targetId: id, details: { must_change_password: false } });
    expect(JSON.stringify(event)).not.toContain(fresh);

    await h.roles.assignRole(id, (await h.roles.findRoleByName('viewer'))!.id);
    // Only scopes the viewer role carries: the consent step cannot grant admin:write to it.
    await expect(
      h.userTokens({ login: 'reset-me', password: fresh }, { scope: 'openid admin:read' }),
    ).resolves.toBeDefined();

    const weak = await call('POST', `/api/admin/users/${id}/password`, { password: 'reset-me-123456' });
    expect(weak.statusCode).toBe(400);
    expect(failedFields(weak)).toEqual(['body:/password']);
    const forced = await call('POST', `/api/admin/users/${id}/password`, {
      password: fresh,
      must_change_password: true,
    });
    expect(forced.statusCode).toBe(204);
    expect((await call('GET', `/api/admin/users/${id}`)).json().must_change_password).toBe(true);
    expect((await call('POST', '/api/admin/users/missing/password', { password: fresh })).statusCode).toBe(
      404,
    );
  });

  it("lists, assigns and unassigns a user's roles", async () => {
    const { id } = (await create('role-holder')).json();
    const viewer = (await h.roles.findRoleByName('viewer'))!;
    expect((await call('GET', `/api/admin/users/${id}/roles`)).json()).toEqual({ items: [] });

    expect((await call('PUT', `/api/admin/users/${id}/roles/${viewer.id}`)).statusCode).toBe(204);
    expect((await call('PUT', `/api/admin/users/${id}/roles/${viewer.id}`)).statusCode).toBe(204);
    const roles = (await call('GET', `/api/admin/users/${id}/roles`)).json().items;
    expect(roles).toEqual([expect.objectContaining({ id: viewer.id, name: 'viewer' })]);
    expect((await h.auditOf('role.assign'))[0]).toMatchObject({
      targetType: 'user',
      targetId: id,
      details: { role_id: viewer.id, role: 'viewer' },
    });

    expect((await call('DELETE', `/api/admin/users/${id}/roles/${viewer.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/users/${id}/roles`)).json()).toEqual({ items: [] });
    expect((await h.auditOf('role.unassign'))[0]).toMatchObject({ targetId: id });

    expect((await call('PUT', `/api/admin/users/${id}/roles/missing`)).statusCode).toBe(404);
    expect((await call('PUT', `/api/admin/users/missing/roles/${viewer.id}`)).statusCode).toBe(404);
    expect((await call('GET', '/api/admin/users/missing/roles')).statusCode).toBe(404);
  });

  it('deletes a user and records it; a second delete is a 404', async () => {
    const { id } = (await create('deleted')).json();
    expect((await call('DELETE', `/api/admin/users/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/users/${id}`)).statusCode).toBe(404);
    expect((await h.auditOf('user.delete'))[0]).toMatchObject({
      targetId: id,
      details: { username: 'deleted' },
    });
    expect((await call('DELETE', `/api/admin/users/${id}`)).statusCode).toBe(404);
  });
});
