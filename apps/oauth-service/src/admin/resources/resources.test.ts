import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ADMIN_RESOURCE,
  type AdminHarness,
  bearer,
  failedFields,
  type MachineClient,
  startAdminHarness,
} from '../test-support.ts';

const REPORTS = 'https://reports.example.test/api';

describeEachDialect('admin API: resource servers and scopes', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  async function machineFor(name: string, scope: string[]): Promise<MachineClient> {
    const created = await call('POST', '/api/admin/clients', {
      name,
      type: 'confidential',
      grant_types: ['client_credentials'],
      scope,
    });
    expect(created.statusCode, created.payload).toBe(201);
    return { clientId: created.json().client_id, secret: created.json().client_secret };
  }

  it('lists the seeded resource servers with their scopes', async () => {
    const items = (await call('GET', '/api/admin/resource-servers')).json().items;
    expect(items.map((s: { name: string }) => s.name)).toEqual(['account', 'admin', 'flow', 'kline', 'test']);
    expect(items[0]).toMatchObject({ scopes: [{ name: 'account', description: 'Manage your own account' }] });
    expect(items[1]).toMatchObject({
      identifier: ADMIN_RESOURCE,
      access_token_ttl: null,
      scopes: [
        { name: 'admin:authority', description: expect.any(String) },
        { name: 'admin:read', description: expect.any(String) },
        { name: 'admin:write', description: expect.any(String) },
      ],
    });
  });

  it('creates a server with scopes, their permissions, and the provider issues tokens for it at once', async () => {
    await call('POST', '/api/admin/permissions', { name: 'reports:write' });
    const response = await call('POST', '/api/admin/resource-servers', {
      name: 'reports',
      identifier: REPORTS,
      description: 'Reporting API',
      access_token_ttl: 120,
      scopes: [{ name: 'reports:read', description: 'Read reports' }, { name: 'reports:write' }],
    });
    expect(response.statusCode).toBe(201);
    const server = response.json();
    expect(server).toMatchObject({
      name: 'reports',
      identifier: REPORTS,
      access_token_ttl: 120,
      scopes: [
        { name: 'reports:read', description: 'Read reports' },
        { name: 'reports:write', description: '' },
      ],
    });
    expect(response.headers.location).toBe(`/api/admin/resource-servers/${server.id}`);
    const permissions = (await call('GET', '/api/admin/permissions'))
      .json()
      .items.map((p: { name: string }) => p.name);
    expect(permissions).toEqual(expect.arrayContaining(['reports:read', 'reports:write']));
    expect((await h.auditOf('resource_server.create'))[0]).toMatchObject({
      targetId: server.id,
      details: { name: 'reports', permissions_created: ['reports:read'] },
    });

    const client = await machineFor('reports machine', ['reports:read']);
    const token = decodeJwt(await h.clientToken('reports:read', client, REPORTS));
    expect(token).toMatchObject({ aud: REPORTS, scope: 'reports:read' });
    expect(token.exp! - token.iat!).toBe(120);
  });

  it('refuses bad input naming the field', async () => {
    const bad = await call('POST', '/api/admin/resource-servers', {
      name: 'has space',
      identifier: 'https://x.example.test/api#frag',
      scopes: [{ name: 'openid' }, { name: 'ok:scope' }, { name: 'ok:scope' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(failedFields(bad)).toEqual([
      'body:/name',
      'body:/identifier',
      'body:/scopes/0/name',
      'body:/scopes/2/name',
    ]);
    expect(
      failedFields(await call('POST', '/api/admin/resource-servers', { name: 'x', identifier: 'not a url' })),
    ).toEqual(['body:/identifier']);
    expect(
      failedFields(
        await call('POST', '/api/admin/resource-servers', {
          name: 'x',
          identifier: REPORTS,
          access_token_ttl: 5,
        }),
      ),
    ).toEqual(['body:/access_token_ttl']);
    expect(failedFields(await call('POST', '/api/admin/resource-servers', { name: 'x' }))).toEqual([
      'body:/identifier',
    ]);
  });

  it('answers 409 for a taken name, identifier or scope, and 404 for unknown ids', async () => {
    const name = await call('POST', '/api/admin/resource-servers', {
      name: 'test',
      identifier: 'https://n.example.test',
    });
    expect(name.statusCode).toBe(409);
    expect(name.json().field).toBe('name');
    const identifier = await call('POST', '/api/admin/resource-servers', {
      name: 'other',
      identifier: ADMIN_RESOURCE,
    });
    expect(identifier.json()).toMatchObject({ code: 'conflict', field: 'identifier' });
    const scope = await call('POST', '/api/admin/resource-servers', {
      name: 'other',
      identifier: 'https://o.example.test',
      scopes: [{ name: 'test:read' }],
    });
    expect(scope.statusCode).toBe(409);
    expect((await call('GET', '/api/admin/resource-servers')).json().items).toHaveLength(
      (await h.db.selectFrom('resource_servers').select('id').execute()).length,
    );
    for (const [method, url, body] of [
      ['GET', '/api/admin/resource-servers/missing', undefined],
      ['PATCH', '/api/admin/resource-servers/missing', { description: 'x' }],
      ['DELETE', '/api/admin/resource-servers/missing', undefined],
      ['POST', '/api/admin/resource-servers/missing/scopes', { name: 'x:y' }],
    ] as const) {
      expect((await call(method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }
  });

  it('updates a server; the provider uses the change at once', async () => {
    const server = (
      await call('POST', '/api/admin/resource-servers', {
        name: 'ledger',
        identifier: 'https://ledger.example.test',
        scopes: [{ name: 'ledger:read' }],
      })
    ).json();
    const client = await machineFor('ledger machine', ['ledger:read']);
    const before = decodeJwt(await h.clientToken('ledger:read', client, 'https://ledger.example.test'));
    expect(before.exp! - before.iat!).toBe(300);

    const response = await call('PATCH', `/api/admin/resource-servers/${server.id}`, {
      description: 'The ledger',
      access_token_ttl: 60,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ description: 'The ledger', access_token_ttl: 60 });
    const after = decodeJwt(await h.clientToken('ledger:read', client, 'https://ledger.example.test'));
    expect(after.exp! - after.iat!).toBe(60);
    expect((await h.auditOf('resource_server.update'))[0]).toMatchObject({
      targetId: server.id,
      details: { changed: ['access_token_ttl', 'description'] },
    });

    expect(
      (await call('PATCH', `/api/admin/resource-servers/${server.id}`, { name: 'kline' })).statusCode,
    ).toBe(409);
    expect(
      failedFields(await call('PATCH', `/api/admin/resource-servers/${server.id}`, { identifier: 'x' })),
    ).toEqual(['body:/identifier']);
    expect((await call('PATCH', `/api/admin/resource-servers/${server.id}`, {})).statusCode).toBe(400);
    const admin = (await h.db
      .selectFrom('resource_servers')
      .select('id')
      .where('name', '=', 'admin')
      .executeTakeFirst())!;
    const moved = await call('PATCH', `/api/admin/resource-servers/${admin.id}`, {
      identifier: 'https://elsewhere.example.test',
    });
    expect(moved.statusCode).toBe(409);
    expect(moved.json().code).toBe('protected');
  });

  it('adds scopes (creating the permission if missing) and removes them from the server and its clients', async () => {
    const server = (
      await call('POST', '/api/admin/resource-servers', {
        name: 'billing',
        identifier: 'https://billing.example.test',
      })
    ).json();
    const added = await call('POST', `/api/admin/resource-servers/${server.id}/scopes`, {
      name: 'billing:read',
      description: 'Read invoices',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().scopes).toEqual([{ name: 'billing:read', description: 'Read invoices' }]);
    expect((await h.roles.findPermissionByName('billing:read'))?.description).toBe('Read invoices');
    expect((await h.auditOf('scope.create'))[0]).toMatchObject({
      targetId: server.id,
      details: { scope: 'billing:read', permission_created: true },
    });

    const client = await machineFor('billing machine', ['billing:read']);
    expect(decodeJwt(await h.clientToken('billing:read', client, 'https://billing.example.test')).scope).toBe(
      'billing:read',
    );

    expect(
      (await call('POST', `/api/admin/resource-servers/${server.id}/scopes`, { name: 'billing:read' }))
        .statusCode,
    ).toBe(409);
    expect(
      failedFields(
        await call('POST', `/api/admin/resource-servers/${server.id}/scopes`, { name: 'bad scope' }),
      ),
    ).toEqual(['body:/name']);

    const removed = await call('DELETE', `/api/admin/resource-servers/${server.id}/scopes/billing:read`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().scopes).toEqual([]);
    expect((await call('GET', `/api/admin/clients/${client.clientId}`)).json().scope).toEqual([]);
    expect((await h.auditOf('scope.delete'))[0]).toMatchObject({
      targetId: server.id,
      details: { scope: 'billing:read', clients_changed: 1 },
    });
    expect(await h.roles.findPermissionByName('billing:read')).toBeDefined();
    expect(
      (await call('DELETE', `/api/admin/resource-servers/${server.id}/scopes/billing:read`)).statusCode,
    ).toBe(404);
  });

  it('deletes a server: its scopes leave every client and the provider refuses it; the admin server stays', async () => {
    const server = (
      await call('POST', '/api/admin/resource-servers', {
        name: 'temporary',
        identifier: 'https://temporary.example.test',
        scopes: [{ name: 'temporary:use' }],
      })
    ).json();
    const client = await machineFor('temporary machine', ['temporary:use', 'test:read']);
    expect((await call('DELETE', `/api/admin/resource-servers/${server.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/resource-servers/${server.id}`)).statusCode).toBe(404);
    expect((await call('GET', `/api/admin/clients/${client.clientId}`)).json().scope).toEqual(['test:read']);
    await expect(h.clientToken('temporary:use', client, 'https://temporary.example.test')).rejects.toThrow(
      /invalid_target/,
    );
    expect((await h.auditOf('resource_server.delete'))[0]).toMatchObject({
      targetId: server.id,
      details: { scopes: ['temporary:use'] },
    });

    const admin = (await h.db
      .selectFrom('resource_servers')
      .select('id')
      .where('name', '=', 'admin')
      .executeTakeFirst())!;
    const refused = await call('DELETE', `/api/admin/resource-servers/${admin.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('protected');
  });

  it("keeps the account API's server: every user's account console needs its tokens", async () => {
    const account = (await h.db
      .selectFrom('resource_servers')
      .select('id')
      .where('name', '=', 'account')
      .executeTakeFirst())!;
    const deleted = await call('DELETE', `/api/admin/resource-servers/${account.id}`);
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().code).toBe('protected');
    const moved = await call('PATCH', `/api/admin/resource-servers/${account.id}`, {
      identifier: 'https://elsewhere.example.test',
    });
    expect(moved.statusCode).toBe(409);
    expect((await call('GET', '/api/admin/clients/account-console')).json().scope).toContain('account');
  });
});
