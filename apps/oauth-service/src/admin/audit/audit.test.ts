import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: audit log', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;
  let startedAt: string;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    startedAt = new Date().toISOString();
    for (const name of ['audit-a', 'audit-b', 'audit-c']) {
      await h.app.inject({ method: 'POST', url: '/api/admin/roles', headers: auth, payload: { name } });
    }
    await h.app.inject({
      method: 'POST',
      url: '/api/admin/permissions',
      headers: auth,
      payload: { name: 'audit:x' },
    });
  });
  afterAll(() => h?.close());

  const query = (qs: string) => h.app.inject({ method: 'GET', url: `/api/admin/audit${qs}`, headers: auth });
  const actions = (items: Array<{ action: string }>) => items.map((item) => item.action);

  it('lists newest first with every field', async () => {
    const response = await query('?action=role.create');
    expect(response.statusCode).toBe(200);
    const { items, next_cursor: next } = response.json();
    expect(next).toBeNull();
    expect(items.map((e: { details: { name: string } }) => e.details.name)).toEqual([
      'audit-c',
      'audit-b',
      'audit-a',
    ]);
    expect(items[0]).toEqual({
      id: expect.any(Number),
      created_at: expect.stringMatching(/^\d{4}-/),
      actor_type: 'client',
      actor_id: h.machine.clientId,
      actor_name: 'admin API test machine',
      actor_deleted: false,
      action: 'role.create',
      target_type: 'role',
      target_id: expect.any(String),
      target_name: null,
      target_deleted: false,
      client_id: h.machine.clientId,
      client_name: 'admin API test machine',
      ip: '127.0.0.1',
      user_agent: 'lightMyRequest',
      request_id: expect.any(String),
      outcome: 'success',
      details: { name: 'audit-c', mfa_required: false },
    });
  });

  it('filters by action prefix, actor, client and time, and pages with a cursor', async () => {
    expect(actions((await query('?action=role.*')).json().items)).toEqual([
      'role.create',
      'role.create',
      'role.create',
    ]);
    const byActor = (await query(`?actor=${h.machine.clientId}&actor_type=client`)).json().items;
    // The oldest is the provider's record of the token this client obtained.
    expect(actions(byActor)).toEqual([
      'permission.create',
      'role.create',
      'role.create',
      'role.create',
      'token.issue',
    ]);
    expect((await query(`?client_id=${h.machine.clientId}`)).json().items).toHaveLength(5);
    expect((await query('?actor=someone-else')).json().items).toEqual([]);
    expect(
      (await query(`?from=${encodeURIComponent(startedAt)}&action=permission.create`)).json().items,
    ).toHaveLength(1);
    expect(
      (await query(`?to=${encodeURIComponent(startedAt)}&action=permission.create`)).json().items,
    ).toEqual([]);

    const first = (await query('?action=role.create&limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await query(`?action=role.create&limit=2&cursor=${first.next_cursor}`)).json();
    // Every cursor the document admits is a position: empty is the first page, below every id is empty.
    expect((await query('?action=role.create&limit=2&cursor=')).json()).toEqual(first);
    expect((await query('?action=role.create&cursor=1')).json()).toEqual({ items: [], next_cursor: null });
    expect(second.items.map((e: { details: { name: string } }) => e.details.name)).toEqual(['audit-a']);
    expect(second.next_cursor).toBeNull();
  });

  it('gets one event by id, 404 for an unknown one', async () => {
    const [newest] = (await query('?limit=1')).json().items;
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/admin/audit/${newest.id}`,
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(newest);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/admin/audit/999999', headers: auth })).statusCode,
    ).toBe(404);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/admin/audit/abc', headers: auth })).statusCode,
    ).toBe(400);
  });

  it('refuses bad filters naming them', async () => {
    expect(failedFields(await query('?action=User%20Create'))).toEqual(['querystring:/action']);
    // The document's pattern is the rule: a bare word is neither an action nor a prefix.
    for (const action of ['0', 'user', 'user.', 'user.*.*']) {
      expect(failedFields(await query(`?action=${action}`)), action).toEqual(['querystring:/action']);
    }
    // Every date-time the schema's format admits is a bound: before 1970, a leap second, a colon-less offset.
    for (const from of ['0939-04-22T23:12:48Z', '2016-12-31T23:59:60Z', '2020-01-01t00:00:00%2B0530']) {
      expect((await query(`?from=${from}`)).statusCode, from).toBe(200);
    }
    for (const action of ['user.create', 'user.*', 'refresh_token.revoke']) {
      expect((await query(`?action=${action}`)).statusCode, action).toBe(200);
    }
    expect(failedFields(await query('?from=yesterday'))).toEqual(['querystring:/from']);
    expect(failedFields(await query('?cursor=nope'))).toEqual(['querystring:/cursor']);
    expect(failedFields(await query('?limit=501'))).toEqual(['querystring:/limit']);
    expect(failedFields(await query('?actor_type=robot'))).toEqual(['querystring:/actor_type']);
    expect(failedFields(await query('?colour=red'))).toEqual(['querystring:/colour']);
  });

  it('needs admin:read', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/admin/audit' })).statusCode).toBe(401);
  });
});
