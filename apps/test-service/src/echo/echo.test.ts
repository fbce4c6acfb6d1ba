import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUDIENCE, type Harness, startHarness } from '../test/harness.ts';

describeEachDialect('echo', (temp) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(temp().url);
  });
  afterAll(() => h.close());

  it('answers 401 with a WWW-Authenticate challenge when no token is sent', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/test/api/v1/echo' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test-service"/);
    expect(res.json()).toMatchObject({ status: 401, code: 'missing_token' });
  });

  it('ignores a token in the query string', async () => {
    const token = await h.token('test:read');
    const res = await h.app.inject({ method: 'GET', url: `/test/api/v1/echo?access_token=${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('missing_token');
  });

  it('answers 403 insufficient_scope to a valid token without the scope', async () => {
    const token = await h.token('test:write');
    const res = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/echo',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="test:read"');
  });

  it('rejects a token for another audience', async () => {
    const token = await h.issuer.mint({
      aud: 'http://localhost:8080/kline',
      client_id: 'c',
      scope: 'test:read',
    });
    const res = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/echo',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('echoes method, query, safe headers and the token identity on GET with test:read', async () => {
    const token = await h.token('test:read', 'alice');
    const res = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/echo?x=1',
      headers: { authorization: `Bearer ${token}`, cookie: 'session=secret', 'x-custom': 'kept' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      method: 'GET',
      path: '/test/api/v1/echo',
      query: { x: '1' },
      body: null,
      token: { sub: 'alice', client_id: 'client-a', scope: 'test:read' },
    });
    expect(body.headers['x-custom']).toBe('kept');
    expect(body.headers.authorization).toBeUndefined();
    expect(body.headers.cookie).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('echoes the JSON body on POST with test:write, and refuses POST with only test:read', async () => {
    const writer = await h.token('test:read test:write');
    const res = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/echo',
      headers: { authorization: `Bearer ${writer}` },
      payload: { hello: ['world', 1] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ method: 'POST', body: { hello: ['world', 1] } });

    const reader = await h.token('test:read');
    const refused = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/echo',
      headers: { authorization: `Bearer ${reader}` },
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses a POST without a body (the document requires one) and echoes a JSON null', async () => {
    const auth = { authorization: `Bearer ${await h.token('test:write')}` };
    const missing = await h.app.inject({ method: 'POST', url: '/test/api/v1/echo', headers: auth });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toBe('a JSON body is required');
    const nullBody = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/echo',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: 'null',
    });
    expect(nullBody.statusCode).toBe(200);
    expect(nullBody.json().body).toBeNull();
  });

  it('answers bad input with problem+json, never 500', async () => {
    const token = await h.token('test:write');
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const cases = [
      {
        res: await h.app.inject({
          method: 'POST',
          url: '/test/api/v1/echo',
          headers: auth,
          payload: '{"a":',
        }),
        status: 400,
      },
      {
        res: await h.app.inject({
          method: 'POST',
          url: '/test/api/v1/echo',
          headers: auth,
          payload: `"${'x'.repeat(1_100_000)}"`,
        }),
        status: 413,
      },
      { res: await h.app.inject({ method: 'GET', url: '/test/api/v1/nothing-here' }), status: 404 },
      {
        res: await h.app.inject({ method: 'PUT', url: '/test/api/v1/echo', headers: auth, payload: '{}' }),
        status: 405,
      },
    ];
    for (const { res, status } of cases) {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().status).toBe(status);
    }
    expect(cases[3]!.res.headers.allow).toBe('GET, HEAD, POST');
  });

  it('publishes RFC 9728 metadata naming its issuer and scopes', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/test' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      resource: AUDIENCE,
      authorization_servers: [h.issuer.issuer],
      scopes_supported: ['test:read', 'test:write'],
      bearer_methods_supported: ['header'],
    });
  });

  it('serves an OpenAPI document listing its routes', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/test/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/test/api/v1/echo',
        '/test/api/v1/ticks',
        '/test/api/v1/items',
        '/test/api/v1/items/{id}',
      ]),
    );
  });

  it('is ready when its database answers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });
});
