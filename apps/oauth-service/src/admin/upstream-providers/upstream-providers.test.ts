import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, PUBLIC_URL, startAdminHarness } from '../test-support.ts';

// The admin API of upstream identity providers: kind defaults, the rules with their key paths, the secret
// write-only, changes audited, and the admin scopes required.

const PATH = '/api/admin/upstream-providers';

const entra = {
  id: 'entra',
  display_name: 'Microsoft',
  kind: 'oidc',
  issuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
  client_id: 'entra-client',
  client_secret: 'entra-secret-value',
  group_roles: { 'g-1234': 'admin' },
  default_roles: ['user'],
  jit_enabled: true,
  allowed_email_domains: ['Example.COM'],
};

const github = {
  id: 'github',
  display_name: 'GitHub',
  kind: 'oauth2',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
  userinfo_endpoint: 'https://api.github.com/user',
  client_id: 'gh-client',
  scopes: ['read:user', 'user:email'],
};

describeEachDialect('admin API: upstream identity providers', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    await h.roles.createRole({ name: 'user' }).catch(() => undefined);
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  it('creates an oidc provider with its kind’s defaults, never returning the secret', async () => {
    const response = await call('POST', PATH, entra);
    expect(response.statusCode, response.payload).toBe(201);
    expect(response.headers.location).toBe(`${PATH}/entra`);
    const created = response.json();
    expect(created).toMatchObject({
      id: 'entra',
      kind: 'oidc',
      has_secret: true,
      scopes: ['openid', 'email', 'profile'],
      claim_mapping: {
        subject: 'sub',
        email: 'email',
        email_verified: 'email_verified',
        name: 'name',
        groups: 'groups',
      },
      allowed_email_domains: ['example.com'],
      link_by_verified_email: false,
      mfa_satisfied_by: { amr: [], acr: [] },
      enabled: true,
      redirect_uri: `${PUBLIC_URL}/login/upstream/entra/callback`,
    });
    expect(response.payload).not.toContain('entra-secret-value');
    expect((await call('GET', `${PATH}/entra`)).json()).toEqual(created);
    const audit = (await h.auditOf('upstream_provider.create'))[0];
    expect(audit).toMatchObject({ targetType: 'upstream_provider', targetId: 'entra' });
    expect(JSON.stringify(audit)).not.toContain('entra-secret-value');
  });

  it('creates an oauth2 provider mapping GitHub’s user info, and lists both', async () => {
    const response = await call('POST', PATH, github);
    expect(response.statusCode, response.payload).toBe(201);
    expect(response.json()).toMatchObject({
      has_secret: false,
      issuer: null,
      scopes: ['read:user', 'user:email'],
      claim_mapping: { subject: 'id', email: 'email', email_verified: null, name: 'name', groups: null },
    });
    const list = (await call('GET', PATH)).json().items;
    expect(list.map((p: { id: string }) => p.id)).toEqual(['entra', 'github']);
  });

  it('refuses a taken id with 409, and an unknown one with 404', async () => {
    expect((await call('POST', PATH, entra)).statusCode).toBe(409);
    for (const method of ['GET', 'DELETE'] as const)
      expect((await call(method, `${PATH}/nobody`)).statusCode).toBe(404);
    expect((await call('PATCH', `${PATH}/nobody`, { enabled: false })).statusCode).toBe(404);
  });

  it('names every broken rule by its key path', async () => {
    const response = await call('POST', PATH, {
      id: 'bad',
      display_name: 'Bad',
      kind: 'oidc',
      issuer: 'http://idp.example.com',
      token_endpoint: 'https://idp.example.com/token',
      client_id: 'c',
      scopes: ['email'],
      claim_mapping: { subject: 'a b' },
      group_roles: { 'a/b': 'no-such-role' },
      default_roles: ['user', 'ghost'],
      allowed_email_domains: ['example.com', 'not a domain'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(failedFields(response).sort()).toEqual(
      [
        'body:/issuer',
        'body:/token_endpoint',
        'body:/scopes',
        'body:/claim_mapping/subject',
        'body:/group_roles/a~1b',
        'body:/default_roles/1',
        'body:/allowed_email_domains/1',
      ].sort(),
    );
    const oauth2 = await call('POST', PATH, {
      ...github,
      id: 'gh2',
      issuer: 'https://github.com',
      token_endpoint: null,
    });
    expect(failedFields(oauth2).sort()).toEqual(['body:/issuer', 'body:/token_endpoint']);
    const schema = await call('POST', PATH, { ...github, id: 'Upper_Case', extra: 1 });
    expect(schema.statusCode).toBe(400);
  });

  it('allows http on loopback outside production only', async () => {
    const local = await call('POST', PATH, { ...entra, id: 'local', issuer: 'http://127.0.0.1:9999' });
    expect(local.statusCode, local.payload).toBe(201);
    const remote = await call('PATCH', `${PATH}/local`, { issuer: 'http://idp.example.com' });
    expect(failedFields(remote)).toEqual(['body:/issuer']);
    expect(remote.json().errors[0].message).toBe('http is allowed only on loopback');
  });

  it('updates the given fields, keeps or removes the secret, and switches kind', async () => {
    const renamed = await call('PATCH', `${PATH}/entra`, { display_name: 'Entra ID', enabled: false });
    expect(renamed.statusCode, renamed.payload).toBe(200);
    expect(renamed.json()).toMatchObject({
      display_name: 'Entra ID',
      enabled: false,
      has_secret: true,
      jit_enabled: true,
    });
    expect((await call('PATCH', `${PATH}/entra`, { client_secret: null })).json().has_secret).toBe(false);

    const switched = await call('PATCH', `${PATH}/entra`, {
      kind: 'oauth2',
      authorization_endpoint: 'https://idp.example.com/authorize',
      token_endpoint: 'https://idp.example.com/token',
      userinfo_endpoint: 'https://idp.example.com/me',
    });
    expect(switched.statusCode, switched.payload).toBe(200);
    expect(switched.json()).toMatchObject({ kind: 'oauth2', issuer: null });

    const audit = (await h.auditOf('upstream_provider.update'))[0];
    expect(audit?.details).toMatchObject({
      changed: ['authorization_endpoint', 'kind', 'token_endpoint', 'userinfo_endpoint'],
    });
  });

  it('deletes a provider, audited', async () => {
    expect((await call('DELETE', `${PATH}/local`)).statusCode).toBe(204);
    expect((await call('GET', `${PATH}/local`)).statusCode).toBe(404);
    expect((await h.auditOf('upstream_provider.delete'))[0]).toMatchObject({ targetId: 'local' });
  });

  it('needs admin:read to read and admin:write to change', async () => {
    const reader = bearer(await h.clientToken('admin:read'));
    expect((await h.app.inject({ method: 'GET', url: PATH, headers: reader })).statusCode).toBe(200);
    const write = await h.app.inject({ method: 'DELETE', url: `${PATH}/github`, headers: reader });
    expect(write.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: PATH })).statusCode).toBe(401);
  });
});
