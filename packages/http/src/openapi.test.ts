import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { OPTIONAL_BODY, problemResponses, problemSchema } from './openapi.ts';
import { buildTestApp } from './test-support.ts';

let app: FastifyInstance;

afterEach(async () => {
  await app?.close();
});

describe('OpenAPI document', () => {
  it('is served at openapi.path as OpenAPI 3.1 JSON listing declared routes', async () => {
    ({ app } = await buildTestApp({
      openapi: {
        path: '/test/openapi.json',
        title: 'Test service',
        version: '2.0.0',
        description: 'Things.',
      },
    }));
    app.get(
      '/test/api/v1/items/:id',
      {
        schema: {
          operationId: 'getItem',
          params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          response: {
            200: { type: 'object', properties: { id: { type: 'string' } } },
            ...problemResponses(404),
          },
        },
      },
      async (request) => ({ id: (request.params as { id: string }).id }),
    );
    // Routes in a plugin (how services organise them) must show up too.
    await app.register(
      async (plugin) => {
        plugin.post('/items', { schema: { operationId: 'createItem' } }, async () => ({}));
      },
      { prefix: '/test/api/v1' },
    );

    const response = await app.inject({ url: '/test/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'Test service', version: '2.0.0', description: 'Things.' });

    const getItem = document.paths['/test/api/v1/items/{id}']?.get;
    expect(getItem?.operationId).toBe('getItem');
    expect(getItem?.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(getItem?.responses['404'].content['application/problem+json'].schema.properties.code).toEqual({
      type: 'string',
      description: 'Stable machine-readable error code.',
    });
    expect(document.paths['/test/api/v1/items']?.post?.operationId).toBe('createItem');
  });

  it('documents a body as optional only where the route says so', async () => {
    ({ app } = await buildTestApp());
    const body = { type: 'object', properties: { n: { type: 'integer' } } };
    app.post('/test/optional', { schema: { [OPTIONAL_BODY]: true, body } }, async () => ({}));
    app.post('/test/required', { schema: { body } }, async () => ({}));
    const document = (await app.inject({ url: '/test/openapi.json' })).json();
    const optional = document.paths['/test/optional'].post;
    expect(optional.requestBody.required).toBe(false);
    expect(optional[OPTIONAL_BODY]).toBeUndefined();
    expect(document.paths['/test/required'].post.requestBody.required).toBe(true);
  });

  it('serves each further document with only its prefix, and leaves those paths out of the main one', async () => {
    ({ app } = await buildTestApp({
      openapi: {
        path: '/api/admin/openapi.json',
        title: 'Admin',
        version: '1.0.0',
        description: 'Administration.',
        documents: [
          {
            path: '/api/account/openapi.json',
            prefixes: ['/api/account/', '/.well-known/oauth-protected-resource/api/account'],
            title: 'Account',
          },
        ],
      },
    }));
    app.get('/api/admin/users', { schema: { operationId: 'listUsers' } }, async () => ({}));
    app.get('/api/account/me', { schema: { operationId: 'getMe' } }, async () => ({}));
    app.get('/.well-known/oauth-protected-resource/api/account', async () => ({}));
    const main = (await app.inject({ url: '/api/admin/openapi.json' })).json();
    expect(Object.keys(main.paths)).toEqual(['/api/admin/users']);
    const account = (await app.inject({ url: '/api/account/openapi.json' })).json();
    expect(Object.keys(account.paths)).toEqual([
      '/api/account/me',
      '/.well-known/oauth-protected-resource/api/account',
    ]);
    expect(account.info).toEqual({ title: 'Account', version: '1.0.0' });
    expect(account.components.securitySchemes.bearer).toBeDefined();
    // The cached document is not cut down by either answer.
    expect(Object.keys((app.swagger() as { paths: object }).paths)).toHaveLength(3);
  });

  it('leaves the operational endpoints out of the document', async () => {
    ({ app } = await buildTestApp());
    const document = (await app.inject({ url: '/test/openapi.json' })).json();
    expect(Object.keys(document.paths ?? {})).toEqual([]);
  });
});

describe('problemResponses', () => {
  it('documents each status as application/problem+json', () => {
    const responses = problemResponses(400, 401);
    expect(Object.keys(responses)).toEqual(['400', '401']);
    expect(responses[401]?.content['application/problem+json']?.schema).toBe(problemSchema);
  });

  it.each([200, 302, 600, 400.5])('rejects non-error status %s', (status) => {
    expect(() => problemResponses(status)).toThrow(/not an error status/);
  });

  it('does not strip problem members when a route declares the schema', async () => {
    ({ app } = await buildTestApp());
    app.post(
      '/test/strict',
      {
        schema: {
          body: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
          response: problemResponses(400),
        },
      },
      async () => ({}),
    );
    const response = await app.inject({ method: 'POST', url: '/test/strict', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveLength(1);
  });
});

describe('bearer security scheme', () => {
  it('is declared so routes can require scopes in the document', async () => {
    const { createApp } = await import('./app.ts');
    const app = await createApp({
      name: 'svc',
      logLevel: 'silent',
      openapi: { path: '/svc/openapi.json', title: 't', version: '1' },
    });
    app.get('/svc/x', { schema: { security: [{ bearer: ['svc:read'] }] } }, async () => ({}));
    const res = await app.inject({ method: 'GET', url: '/svc/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    // Clients learn from the document how DPoP-bound tokens are sent and refused.
    expect(doc.components.securitySchemes.bearer.description).toMatch(
      /Authorization: DPoP .*invalid_dpop_proof/,
    );
    expect(doc.paths['/svc/x'].get.security).toEqual([{ bearer: ['svc:read'] }]);
    await app.close();
  });
});
