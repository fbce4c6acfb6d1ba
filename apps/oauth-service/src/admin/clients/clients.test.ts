import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { adminSuite, failedFields, PUBLIC_URL } from '../test-support.ts';

const machine = (name: string, extra: object = {}) => ({
  name,
  type: 'confidential',
  grant_types: ['client_credentials'],
  scope: ['test:read'],
  ...extra,
});

describeEachDialect('admin API: clients', (temp) => {
  const suite = adminSuite(temp);
  const { call } = suite;

  /** Status of a client_credentials request for the test resource with these credentials. */
  const tokenStatus = async (clientId: string, secret: string) =>
    (
      await suite.h.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: `${PUBLIC_URL}/test`,
          scope: 'test:read',
        }).toString(),
      })
    ).statusCode;

  it('creates a confidential client; its secret is shown once and works', async () => {
    const response = await call('POST', '/api/admin/clients', machine('reporting machine'));
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const created = response.json();
    expect(response.headers.location).toBe(`/api/admin/clients/${created.client_id}`);
    expect(created).toMatchObject({
      name: 'reporting machine',
      type: 'confidential',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: ['test:read'],
      require_pkce: true,
      require_dpop: false,
      enabled: true,
      has_secret: true,
    });
    expect(created.client_secret).toMatch(/^[\w-]{43}$/);
    expect(await tokenStatus(created.client_id, created.client_secret)).toBe(200);

    const fetched = await call('GET', `/api/admin/clients/${created.client_id}`);
    expect(fetched.json()).not.toHaveProperty('client_secret');
    expect(fetched.json()).toMatchObject({ client_id: created.client_id, has_secret: true });
    const listed = await call('GET', '/api/admin/clients');
    expect(listed.payload).not.toContain(created.client_secret);
    for (const client of listed.json().items) expect(client).not.toHaveProperty('client_secret');

    const [event] = await suite.h.auditOf('client.create');
    expect(event).toMatchObject({ targetType: 'client', targetId: created.client_id });
    expect(JSON.stringify(event)).not.toContain(created.client_secret);
  });

  it('creates a public native client with DPoP and exact redirect URIs, without a secret', async () => {
    const response = await call('POST', '/api/admin/clients', {
      name: 'desktop app',
      type: 'public',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/cb'],
      scope: ['openid', 'offline_access', 'test:read'],
      application_type: 'native',
      require_dpop: true,
      require_pkce: true,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      token_endpoint_auth_method: 'none',
      has_secret: false,
      require_dpop: true,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/cb'],
    });
    expect(response.json()).not.toHaveProperty('client_secret');
  });

  it('refuses bad definitions naming the field', async () => {
    const cases: Array<[object, string[]]> = [
      [
        {
          name: 'bad redirect',
          type: 'public',
          grant_types: ['authorization_code'],
          redirect_uris: ['http://evil.example/cb', 'https://ok.example/cb#frag'],
        },
        ['body:/redirect_uris/0', 'body:/redirect_uris/1'],
      ],
      [machine('unknown grant', { grant_types: ['client_credentials', 'magic'] }), ['body:/grant_types']],
      [machine('implicit', { grant_types: ['implicit'] }), ['body:/grant_types']],
      [machine('public machine', { type: 'public' }), ['body:/grant_types']],
      [
        {
          name: 'public with secret',
          type: 'public',
          grant_types: ['authorization_code'],
          redirect_uris: ['http://127.0.0.1/cb'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
        ['body:/token_endpoint_auth_method'],
      ],
      [machine('unknown scope', { scope: ['nope:read'] }), ['body:/scope']],
      [
        machine('odd method', { token_endpoint_auth_method: 'tls_client_auth' }),
        ['body:/token_endpoint_auth_method'],
      ],
      [machine('no pkce', { require_pkce: false }), ['body:/require_pkce']],
      [machine('code without redirect', { grant_types: ['authorization_code'] }), ['body:/redirect_uris']],
      [{ type: 'confidential', grant_types: ['client_credentials'] }, ['body:/name']],
      [machine('extra', { client_secret: 'mine' }), ['body:/client_secret']],
    ];
    for (const [body, fields] of cases) {
      const response = await call('POST', '/api/admin/clients', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().code).toBe('validation_failed');
      expect(failedFields(response), JSON.stringify(body)).toEqual(expect.arrayContaining(fields));
    }
  });

  it('answers 409 for a taken name and 404 for unknown clients', async () => {
    expect((await call('POST', '/api/admin/clients', machine('twin'))).statusCode).toBe(201);
    const twin = await call('POST', '/api/admin/clients', machine('twin'));
    expect(twin.statusCode).toBe(409);
    expect(twin.json().code).toBe('conflict');
    for (const [method, url] of [
      ['GET', '/api/admin/clients/missing'],
      ['POST', '/api/admin/clients/missing/disable'],
      ['POST', '/api/admin/clients/missing/secret'],
      ['DELETE', '/api/admin/clients/missing'],
    ] as const) {
      expect((await call(method, url)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call('PATCH', '/api/admin/clients/missing', { name: 'x' })).statusCode).toBe(404);
  });

  it('updates a client with the same validation', async () => {
    const { client_id: id } = (
      await call('POST', '/api/admin/clients', {
        name: 'web app',
        type: 'confidential',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example/cb'],
        scope: ['openid'],
      })
    ).json();
    const response = await call('PATCH', `/api/admin/clients/${id}`, {
      name: 'web app v2',
      redirect_uris: ['https://app.example/cb', 'https://app.example/cb2'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: ['openid', 'offline_access', 'test:read'],
      require_dpop: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'web app v2',
      redirect_uris: ['https://app.example/cb', 'https://app.example/cb2'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      require_dpop: true,
      has_secret: true,
    });
    expect(response.json()).not.toHaveProperty('client_secret');
    expect((await suite.h.auditOf('client.update'))[0]).toMatchObject({
      targetId: id,
      details: { name: 'web app v2', require_dpop: true },
    });

    const cases: Array<[object, string[]]> = [
      [{ redirect_uris: ['ftp://app.example/cb'] }, ['body:/redirect_uris/0']],
      [{ redirect_uris: [] }, ['body:/redirect_uris']],
      [{ grant_types: ['password'] }, ['body:/grant_types']],
      [
        { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC' }] } },
        ['body:/token_endpoint_auth_method'],
      ],
      [{ type: 'public' }, ['body:/type']],
      [{}, ['body:']],
    ];
    for (const [body, fields] of cases) {
      const bad = await call('PATCH', `/api/admin/clients/${id}`, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(failedFields(bad), JSON.stringify(body)).toEqual(expect.arrayContaining(fields));
    }
    expect((await call('POST', '/api/admin/clients', machine('taken name'))).statusCode).toBe(201);
    expect((await call('PATCH', `/api/admin/clients/${id}`, { name: 'taken name' })).statusCode).toBe(409);
  });

  it('disables and enables a client: the provider refuses it while disabled', async () => {
    const { client_id: id, client_secret: secret } = (
      await call('POST', '/api/admin/clients', machine('toggled machine'))
    ).json();
    const disabled = await call('POST', `/api/admin/clients/${id}/disable`);
    expect(disabled.json()).toMatchObject({ enabled: false });
    expect(await tokenStatus(id, secret)).toBe(401);
    expect((await call('POST', `/api/admin/clients/${id}/enable`)).json().enabled).toBe(true);
    expect(await tokenStatus(id, secret)).toBe(200);
    expect((await suite.h.auditOf('client.disable'))[0]).toMatchObject({ targetId: id });
    expect((await suite.h.auditOf('client.enable'))[0]).toMatchObject({ targetId: id });
  });

  it('rotates a secret: the new one is shown once and works, the old one stops at once', async () => {
    const { client_id: id, client_secret: old } = (
      await call('POST', '/api/admin/clients', machine('rotated machine'))
    ).json();
    const response = await call('POST', `/api/admin/clients/${id}/secret`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { client_secret: fresh, secret_rotated_at: rotatedAt } = response.json();
    expect(fresh).toMatch(/^[\w-]{43}$/);
    expect(fresh).not.toBe(old);
    expect(rotatedAt).toEqual(expect.any(String));
    expect(await tokenStatus(id, old)).toBe(401);
    expect(await tokenStatus(id, fresh)).toBe(200);
    expect((await call('GET', `/api/admin/clients/${id}`)).payload).not.toContain(fresh);
    const [event] = await suite.h.auditOf('client.secret_rotate');
    expect(event).toMatchObject({ targetType: 'client', targetId: id });
    expect(JSON.stringify(event)).not.toContain(fresh);

    const publicClient = (
      await call('POST', '/api/admin/clients', {
        name: 'secretless',
        type: 'public',
        grant_types: ['authorization_code'],
        redirect_uris: ['http://127.0.0.1/cb'],
      })
    ).json();
    expect((await call('POST', `/api/admin/clients/${publicClient.client_id}/secret`)).statusCode).toBe(409);
  });

  it('deletes a client: it is gone for the admin API and the provider', async () => {
    const { client_id: id, client_secret: secret } = (
      await call('POST', '/api/admin/clients', machine('doomed machine'))
    ).json();
    expect((await call('DELETE', `/api/admin/clients/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/clients/${id}`)).statusCode).toBe(404);
    expect(await tokenStatus(id, secret)).toBe(401);
    expect((await suite.h.auditOf('client.delete'))[0]).toMatchObject({
      targetId: id,
      details: { name: 'doomed machine' },
    });
    expect((await call('DELETE', `/api/admin/clients/${id}`)).statusCode).toBe(404);
  });
});
