import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: roles and permissions', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const names = (items: Array<{ name: string }>) => items.map((item) => item.name);

  it('lists the seeded roles and permissions', async () => {
    expect(names((await call('GET', '/api/admin/roles')).json().items)).toEqual([
      'admin',
      'operator',
      'user',
      'viewer',
    ]);
    expect(names((await call('GET', '/api/admin/permissions')).json().items)).toEqual(
      expect.arrayContaining(['admin:read', 'admin:write', 'test:read', 'flow:approve']),
    );
  });

  for (const entity of ['role', 'permission'] as const) {
    const path = `/api/admin/${entity}s`;
    const name = entity === 'role' ? 'auditor' : 'reports:read';

    it(`${entity}s: creates, gets, renames and deletes, recording each change`, async () => {
      const created = await call('POST', path, { name, description: 'Reads reports' });
      expect(created.statusCode).toBe(201);
      const { id } = created.json();
      expect(created.headers.location).toBe(`${path}/${id}`);
      expect(created.json()).toMatchObject({ name, description: 'Reads reports' });
      expect((await h.auditOf(`${entity}.create`))[0]).toMatchObject({ targetType: entity, targetId: id });

      expect((await call('GET', `${path}/${id}`)).json()).toMatchObject({ id, name });

      const renamed = await call('PATCH', `${path}/${id}`, { name: `${name}-2` });
      expect(renamed.json().name).toBe(`${name}-2`);
      expect((await h.auditOf(`${entity}.update`))[0]).toMatchObject({
        targetId: id,
        details: { name: `${name}-2`, previous_name: name },
      });

      expect((await call('DELETE', `${path}/${id}`)).statusCode).toBe(204);
      expect((await h.auditOf(`${entity}.delete`))[0]).toMatchObject({ targetId: id });
      expect((await call('GET', `${path}/${id}`)).statusCode).toBe(404);
    });

    it(`${entity}s: 400 naming the field, 404 for unknown ids, 409 for a taken name`, async () => {
      const bad = await call('POST', path, { name: 'has space', description: 'bell\u0007' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('validation_failed');
      expect(failedFields(bad)).toEqual(['body:/name', 'body:/description']);
      expect(failedFields(await call('POST', path, { name: 'long', description: 'x'.repeat(501) }))).toEqual([
        'body:/description',
      ]);
      expect(failedFields(await call('POST', path, { name: 'ok', colour: 'red' }))).toEqual(['body:/colour']);
      expect(failedFields(await call('POST', path, {}))).toEqual(['body:/name']);

      expect((await call('GET', `${path}/missing`)).statusCode).toBe(404);
      expect((await call('PATCH', `${path}/missing`, { name: 'x' })).statusCode).toBe(404);
      expect((await call('DELETE', `${path}/missing`)).statusCode).toBe(404);

      const taken = entity === 'role' ? 'admin' : 'admin:read';
      const conflict = await call('POST', path, { name: taken });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json()).toMatchObject({ code: 'conflict', field: 'name' });
      const { id } = (await call('POST', path, { name: `${name}-other` })).json();
      expect((await call('PATCH', `${path}/${id}`, { name: taken })).statusCode).toBe(409);
      expect((await call('PATCH', `${path}/${id}`, {})).statusCode).toBe(400);
    });
  }

  it("grants and revokes a role's permissions, idempotently and recorded", async () => {
    const role = (await call('POST', '/api/admin/roles', { name: 'report-reader' })).json();
    const permission = (await call('POST', '/api/admin/permissions', { name: 'reports:export' })).json();
    const url = `/api/admin/roles/${role.id}/permissions/${permission.id}`;

    expect((await call('GET', `/api/admin/roles/${role.id}/permissions`)).json()).toEqual({ items: [] });
    expect((await call('PUT', url)).statusCode).toBe(204);
    expect((await call('PUT', url)).statusCode).toBe(204);
    const held = (await call('GET', `/api/admin/roles/${role.id}/permissions`)).json().items;
    expect(names(held)).toEqual(['reports:export']);
    expect((await h.auditOf('role.permission_grant'))[0]).toMatchObject({
      targetType: 'role',
      targetId: role.id,
      details: { role: 'report-reader', permission: 'reports:export', permission_id: permission.id },
    });

    expect((await call('DELETE', url)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/roles/${role.id}/permissions`)).json()).toEqual({ items: [] });
    expect((await h.auditOf('role.permission_revoke'))[0]).toMatchObject({ targetId: role.id });

    expect((await call('PUT', `/api/admin/roles/${role.id}/permissions/missing`)).statusCode).toBe(404);
    expect((await call('PUT', `/api/admin/roles/missing/permissions/${permission.id}`)).statusCode).toBe(404);
    expect((await call('GET', '/api/admin/roles/missing/permissions')).statusCode).toBe(404);
  });

  it('lists what the seeded admin role carries', async () => {
    const admin = (await h.roles.findRoleByName('admin'))!;
    const held = names((await call('GET', `/api/admin/roles/${admin.id}/permissions`)).json().items);
    expect(held).toEqual(expect.arrayContaining(['admin:read', 'admin:write', 'kline:write']));
  });

  it('gives every seeded role kline:read, which the console Markets page needs', async () => {
    for (const name of ['admin', 'operator', 'viewer', 'user']) {
      const role = (await h.roles.findRoleByName(name))!;
      const held = names((await call('GET', `/api/admin/roles/${role.id}/permissions`)).json().items);
      expect(held, name).toContain('kline:read');
      expect(held.includes('kline:write'), name).toBe(name === 'admin' || name === 'operator');
    }
  });
});
