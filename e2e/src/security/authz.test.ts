// Authorization changes take effect at the next refresh, and the platform cannot lose its last
// administrator: demoted, disabled and scope-stripped holders of refresh tokens stop getting what they lost,
// and every way of removing the last active holder of admin:write is refused with a 409 problem.
import { createDatabase, sql } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Json, json } from '../json.ts';
import {
  ADMIN,
  adminAccessToken,
  adminFetch,
  codeFlow,
  discover,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalConfig,
  startOAuthServer,
} from '../oauth/harness.ts';

const PASSWORD = 'authz-passphrase-4242';

describeEachDialect('authorization changes and the last administrator', (temp) => {
  let server: OAuthServer;
  let portal: client.Configuration;
  let adminToken: string;
  let roleIds: Record<string, string>;
  let permissionIds: Record<string, string>;

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    adminFetch(server, adminToken, path, init);

  async function createUser(username: string, role: string): Promise<string> {
    const created = await api('/users', {
      method: 'POST',
      body: { username, email: `${username}@example.com`, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    expect((await api(`/users/${id}/roles/${roleIds[role]}`, { method: 'PUT' })).status).toBe(204);
    return id;
  }

  /** Signs `username` in through `config` and returns the token response for flow with `scopes`. */
  async function flowTokens(config: client.Configuration, username: string, scopes = 'flow:read flow:write') {
    const tokens = await codeFlow(
      server,
      config,
      { scope: `openid offline_access ${scopes}`, resource: `${server.issuer}/flow` },
      { login: username, password: PASSWORD },
    );
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(scopes.split(' ')));
    expect(tokens.refresh_token).toBeDefined();
    return tokens;
  }

  /** The scopes a refresh now yields, or the OAuth error code it fails with. */
  async function refresh(config: client.Configuration, refreshToken: string): Promise<string[] | string> {
    try {
      const tokens = await client.refreshTokenGrant(config, refreshToken);
      return (tokens.scope ?? '').split(' ');
    } catch (error) {
      return String((error as { error?: string }).error ?? error);
    }
  }

  const lostFlowWrite = (outcome: string[] | string) =>
    outcome === 'invalid_grant' || (Array.isArray(outcome) && !outcome.includes('flow:write'));

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    portal = await portalConfig(server);
    adminToken = await adminAccessToken(server, portal);
    const byName = (items: Json[]) => Object.fromEntries(items.map((r: Json) => [r.name, r.id]));
    roleIds = byName((await json(api('/roles'))).items);
    permissionIds = byName((await json(api('/permissions'))).items);
  });
  afterAll(() => server?.stop());

  it('a user demoted from operator no longer gets flow:write at the next refresh', async () => {
    const id = await createUser('demoted1', 'operator');
    const tokens = await flowTokens(portal, 'demoted1');
    expect(await refresh(portal, tokens.refresh_token!)).toContain('flow:write');
    const second = await flowTokens(portal, 'demoted1');
    expect((await api(`/users/${id}/roles/${roleIds.operator}`, { method: 'DELETE' })).status).toBe(204);
    const outcome = await refresh(portal, second.refresh_token!);
    expect(lostFlowWrite(outcome), `refresh after demotion gave ${JSON.stringify(outcome)}`).toBe(true);
  });

  it('keeps the grants that hold only what the demoted user still has', async () => {
    const id = await createUser('demoted2', 'operator');
    expect((await api(`/users/${id}/roles/${roleIds.user}`, { method: 'PUT' })).status).toBe(204);
    const reader = await flowTokens(portal, 'demoted2', 'flow:read');
    const writer = await flowTokens(portal, 'demoted2');
    expect((await api(`/users/${id}/roles/${roleIds.operator}`, { method: 'DELETE' })).status).toBe(204);
    expect(await refresh(portal, reader.refresh_token!)).toContain('flow:read');
    expect(await refresh(portal, writer.refresh_token!)).toBe('invalid_grant');
  });

  it('a disabled user can no longer refresh', async () => {
    const id = await createUser('disabled1', 'operator');
    const tokens = await flowTokens(portal, 'disabled1');
    expect((await api(`/users/${id}/disable`, { method: 'POST' })).status).toBe(200);
    expect(await refresh(portal, tokens.refresh_token!)).toBe('invalid_grant');
    // Enabling again does not bring the revoked refresh token back.
    expect((await api(`/users/${id}/enable`, { method: 'POST' })).status).toBe(200);
    expect(await refresh(portal, tokens.refresh_token!)).toBe('invalid_grant');
  });

  it('a role losing a permission takes it from the refresh of every holder of the role', async () => {
    const role = await json(api('/roles', { method: 'POST', body: { name: 'writers' } }));
    roleIds.writers = role.id;
    for (const scope of ['flow:read', 'flow:write'])
      expect(
        (await api(`/roles/${role.id}/permissions/${permissionIds[scope]}`, { method: 'PUT' })).status,
      ).toBe(204);
    await createUser('writer1', 'writers');
    const tokens = await flowTokens(portal, 'writer1');
    const revoke = await api(`/roles/${role.id}/permissions/${permissionIds['flow:write']}`, {
      method: 'DELETE',
    });
    expect(revoke.status).toBe(204);
    const outcome = await refresh(portal, tokens.refresh_token!);
    expect(lostFlowWrite(outcome), `refresh after revocation gave ${JSON.stringify(outcome)}`).toBe(true);
  });

  it('a client losing a scope no longer gets it at the next refresh', async () => {
    const created = await api('/clients', {
      method: 'POST',
      body: {
        name: 'Scope loser',
        type: 'confidential',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [PORTAL_REDIRECT],
        scope: ['openid', 'offline_access', 'flow:read', 'flow:write'],
      },
    });
    expect(created.status).toBe(201);
    const { client_id: clientId, client_secret: secret } = await json(created);
    const config = await discover(server, clientId, client.ClientSecretBasic(secret));
    await createUser('clientuser1', 'operator');
    const tokens = await flowTokens(config, 'clientuser1');
    const patched = await api(`/clients/${clientId}`, {
      method: 'PATCH',
      body: { scope: ['openid', 'offline_access', 'flow:read'] },
    });
    expect(patched.status).toBe(200);
    const outcome = await refresh(config, tokens.refresh_token!);
    expect(lostFlowWrite(outcome), `refresh after scope removal gave ${JSON.stringify(outcome)}`).toBe(true);
  });

  it('refuses to remove the last active holder of admin:write, whichever way it is tried', async () => {
    const admin = (await json(api(`/users?search=${ADMIN.login}`))).items.find(
      (u: Json) => u.username === ADMIN.login,
    );
    const attempts: Array<[string, string]> = [
      ['POST', `/users/${admin.id}/disable`],
      ['DELETE', `/users/${admin.id}`],
      ['DELETE', `/users/${admin.id}/roles/${roleIds.admin}`],
      ['DELETE', `/roles/${roleIds.admin}/permissions/${permissionIds['admin:write']}`],
      ['DELETE', `/roles/${roleIds.admin}`],
      ['DELETE', `/permissions/${permissionIds['admin:write']}`],
    ];
    for (const [method, path] of attempts) {
      const response = await api(path, { method });
      expect(response.status, `${method} ${path}`).toBe(409);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await json(response);
      expect(problem.code).toBe('last_admin');
      expect(problem.detail).toMatch(/last active holder of admin:write/);
    }
    const renamed = await api(`/permissions/${permissionIds['admin:write']}`, {
      method: 'PATCH',
      body: { name: 'admin:gone' },
    });
    expect(renamed.status).toBe(409);
    // Nothing changed: the admin still works.
    expect((await api(`/users/${admin.id}`)).status).toBe(200);
    expect((await json(api(`/users/${admin.id}/roles`))).items.map((r: Json) => r.name)).toContain('admin');
  });

  it('documents the 409 of every route that can refuse to remove the last administrator', async () => {
    const document = await json(fetch(`${server.issuer}/api/admin/openapi.json`));
    const routes: Array<[string, string]> = [
      ['post', '/api/admin/users/{id}/disable'],
      ['delete', '/api/admin/users/{id}'],
      ['delete', '/api/admin/users/{id}/roles/{roleId}'],
      ['delete', '/api/admin/roles/{id}/permissions/{permissionId}'],
      ['delete', '/api/admin/roles/{id}'],
      ['delete', '/api/admin/permissions/{id}'],
      ['patch', '/api/admin/permissions/{id}'],
    ];
    for (const [method, path] of routes) {
      expect(Object.keys(document.paths[path]?.[method]?.responses ?? {}), `${method} ${path}`).toContain(
        '409',
      );
    }
  });

  it('allows removing an administrator while another active one remains', async () => {
    const second = await createUser('admin2', 'admin');
    expect((await api(`/users/${second}/disable`, { method: 'POST' })).status).toBe(200);
    // A disabled administrator does not count: the seeded one is again the last.
    const admin = (await json(api(`/users?search=${ADMIN.login}`))).items.find(
      (u: Json) => u.username === ADMIN.login,
    );
    expect((await api(`/users/${admin.id}/disable`, { method: 'POST' })).status).toBe(409);
    expect((await api(`/users/${second}/enable`, { method: 'POST' })).status).toBe(200);
    expect((await api(`/users/${second}/roles/${roleIds.admin}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/users/${second}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('lets only one of two concurrent removals of the two remaining administrators through', async () => {
    const second = await createUser('admin3', 'admin');
    const admin = (await json(api(`/users?search=${ADMIN.login}`))).items.find(
      (u: Json) => u.username === ADMIN.login,
    );
    const [a, b] = await Promise.all([
      api(`/users/${second}/roles/${roleIds.admin}`, { method: 'DELETE' }),
      api(`/users/${admin.id}/roles/${roleIds.admin}`, { method: 'DELETE' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    // The admin token may have just lost its power, so the database answers who still holds the role.
    const database = createDatabase(temp().url, { poolMax: 1 });
    try {
      const rows = await sql<{ user_id: string }>`
        select ur.user_id from user_roles ur join roles r on r.id = ur.role_id
        where r.name = 'admin' and ur.user_id in (${second}, ${admin.id})`.execute(database.db);
      expect(rows.rows).toHaveLength(1);
    } finally {
      await database.close();
    }
  });
});
