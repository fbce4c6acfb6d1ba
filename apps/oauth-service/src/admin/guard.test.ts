import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ADMIN,
  ADMIN_RESOURCE,
  type AdminHarness,
  bearer,
  PASSWORD,
  PUBLIC_URL,
  startAdminHarness,
} from './test-support.ts';

const METADATA_URL = `${PUBLIC_URL}/.well-known/oauth-protected-resource/api/admin`;

describeEachDialect('admin API access: tokens, scopes and RBAC', (temp) => {
  let h: AdminHarness;
  let token: string;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    token = await h.clientToken();
  });
  afterAll(() => h?.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'GET', url, headers });

  it('answers 401 without a token, with a challenge pointing at the RFC 9728 metadata', async () => {
    const response = await get('/api/admin/users');
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'missing_token', status: 401 });
    // Both schemes are offered: Bearer, and DPoP with the proof algorithms it accepts.
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="oauth-service admin", resource_metadata="${METADATA_URL}", ` +
        `DPoP realm="oauth-service admin", algs="ES256 EdDSA PS256 RS256", ` +
        `resource_metadata="${METADATA_URL}"`,
    );
  });

  it('answers 401 invalid_token for a garbage token, a forged signature and a token for another audience', async () => {
    const garbage = await get('/api/admin/users', bearer('not.a.token'));
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().code).toBe('invalid_token');
    const forged = await get('/api/admin/users', bearer(`${token.slice(0, -4)}AAAA`));
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('invalid_token');
    const testToken = await h.clientToken('test:read', h.machine, `${PUBLIC_URL}/test`);
    const other = await get('/api/admin/users', bearer(testToken));
    expect(other.statusCode).toBe(401);
    expect(other.json()).toMatchObject({
      code: 'invalid_token',
      detail: 'The access token is not intended for this resource.',
    });
  });

  it('decides access before looking at the body: no token and a bad body is still a 401', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    expect(response.statusCode).toBe(401);
    const readOnly = await h.clientToken('admin:read');
    const forbidden = await h.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(readOnly),
      payload: { wrong: true },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('serves RFC 9728 metadata for the admin resource', async () => {
    const response = await get('/.well-known/oauth-protected-resource/api/admin');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      resource: ADMIN_RESOURCE,
      authorization_servers: [PUBLIC_URL],
      scopes_supported: ['admin:read', 'admin:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'oauth-service admin API',
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'PS256', 'RS256'],
    });
  });

  it('issues RFC 9068 tokens for the admin audience and accepts them', async () => {
    expect(decodeJwt(token)).toMatchObject({ aud: ADMIN_RESOURCE, iss: PUBLIC_URL, sub: h.machine.clientId });
    const response = await get('/api/admin/users', bearer(token));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 403 insufficient_scope to a read-only token on a change', async () => {
    const readOnly = await h.clientToken('admin:read');
    expect((await get('/api/admin/roles', bearer(readOnly))).statusCode).toBe(200);
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/roles',
      headers: bearer(readOnly),
      payload: { name: 'nope' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('insufficient_scope');
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope", scope="admin:write"');
  });

  it('checks a user token against the roles the user holds now, on every request', async () => {
    const user = await h.createUser('rbac-user', ['admin']);
    const { tokens } = await h.userTokens({ login: 'rbac-user', password: PASSWORD });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: user.id, aud: ADMIN_RESOURCE });
    expect((await get('/api/admin/users', bearer(tokens.access_token))).statusCode).toBe(200);

    // Take admin:read away from the user's only role: the same token is refused at once.
    const adminRole = (await h.roles.findRoleByName('admin'))!;
    const readPermission = (await h.roles.findPermissionByName('admin:read'))!;
    const limited = await h.roles.createRole({ name: 'limited-admin' });
    await h.roles.assignRole(user.id, limited.id);
    await h.roles.unassignRole(user.id, adminRole.id);
    const denied = await get('/api/admin/users', bearer(tokens.access_token));
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'permission_denied', required_permission: 'admin:read' });
    expect(denied.headers['www-authenticate']).toBeUndefined();

    // Granting the permission (through the API itself) lets the same token in again.
    const grant = await h.app.inject({
      method: 'PUT',
      url: `/api/admin/roles/${limited.id}/permissions/${readPermission.id}`,
      headers: bearer(token),
    });
    expect(grant.statusCode).toBe(204);
    expect((await get('/api/admin/users', bearer(tokens.access_token))).statusCode).toBe(200);
    // ...for reads only: the role does not carry admin:write.
    const write = await h.app.inject({
      method: 'POST',
      url: '/api/admin/roles',
      headers: bearer(tokens.access_token),
      payload: { name: 'by-limited' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('permission_denied');
  });

  it('refuses the token of a user who has been disabled, and accepts it again once enabled', async () => {
    const user = await h.createUser('soon-disabled', ['admin']);
    const { tokens } = await h.userTokens({ login: 'soon-disabled', password: PASSWORD });
    await h.users.disable(user.id);
    const response = await get('/api/admin/users', bearer(tokens.access_token));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('account_inactive');
    await h.users.enable(user.id);
    expect((await get('/api/admin/users', bearer(tokens.access_token))).statusCode).toBe(200);
  });

  it('refuses tokens of a client that has been disabled', async () => {
    const machine = await h.app.inject({
      method: 'POST',
      url: '/api/admin/clients',
      headers: bearer(token),
      payload: {
        name: 'short-lived machine',
        type: 'confidential',
        grant_types: ['client_credentials'],
        scope: ['admin:read'],
      },
    });
    expect(machine.statusCode).toBe(201);
    const { client_id: clientId, client_secret: secret } = machine.json();
    const its = await h.clientToken('admin:read', { clientId, secret });
    expect((await get('/api/admin/keys', bearer(its))).statusCode).toBe(200);
    await h.app.inject({
      method: 'POST',
      url: `/api/admin/clients/${clientId}/disable`,
      headers: bearer(token),
    });
    const response = await get('/api/admin/keys', bearer(its));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('client_disabled');
  });

  it('records the user or client as the actor of a change, with ip, user agent and request id', async () => {
    const { tokens } = await h.userTokens(ADMIN);
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/roles',
      headers: {
        ...bearer(tokens.access_token),
        'user-agent': 'admin-test/1',
        'x-request-id': 'req-audit-1',
      },
      payload: { name: 'audited-role' },
    });
    expect(response.statusCode).toBe(201);
    const [event] = await h.auditOf('role.create');
    const admin = await h.users.findByLogin('admin');
    expect(event).toMatchObject({
      actorType: 'user',
      actorId: admin!.id,
      actorName: 'admin',
      clientId: 'admin-portal',
      userAgent: 'admin-test/1',
      requestId: 'req-audit-1',
      ip: '127.0.0.1',
      targetType: 'role',
      targetId: response.json().id,
      details: { name: 'audited-role' },
    });
  });

  it('describes every admin route with its scope in the OpenAPI document', async () => {
    const document = (await get('/api/admin/openapi.json')).json() as {
      paths: Record<string, Record<string, { security?: unknown; responses?: Record<string, unknown> }>>;
    };
    const adminPaths = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/admin/'));
    expect(adminPaths.length).toBeGreaterThan(20);
    for (const [path, operations] of adminPaths) {
      for (const [method, operation] of Object.entries(operations)) {
        // flow-service's question about an author has its own narrow scope (admin/authority).
        const authority = path === '/api/admin/users/{id}/authority';
        const scope = authority ? 'admin:authority' : method === 'get' ? 'admin:read' : 'admin:write';
        expect(operation.security, `${method} ${path}`).toEqual([{ bearer: [scope] }]);
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toEqual(
          expect.arrayContaining(['401', '403']),
        );
        // A route that validates a path parameter, query or body answers bad input with 400.
        if (path.includes('{') || (operation as { parameters?: unknown[] }).parameters?.length) {
          expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toContain('400');
        }
      }
    }
    expect(document.paths['/api/admin/users/{id}']?.patch).toBeDefined();
    expect(document.paths['/api/admin/clients/{clientId}/secret']?.post).toBeDefined();
  });
});
