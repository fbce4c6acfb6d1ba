import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from './errors.ts';
import { buildTestApp, type CapturedLog } from './test-support.ts';

const PROBLEM_JSON = /^application\/problem\+json; charset=utf-8$/;

let app: FastifyInstance;
let log: CapturedLog;

beforeEach(async () => {
  ({ app, log } = await buildTestApp({ bodyLimit: 64 }));
  app.post(
    '/test/items',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name', 'count'],
          properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (request) => ({ received: request.body }),
  );
  app.get('/test/unauthorized', async () => {
    throw new HttpError({
      status: 401,
      code: 'invalid_token',
      detail: 'The access token expired.',
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  });
  app.get('/test/boom', async (request) => {
    const error = new Error('connection to postgres://admin:hunter2@db failed');
    request.log.debug('about to fail');
    throw error;
  });
  app.get('/test/teapot', async () => {
    throw Object.assign(new Error('internal plugin wording'), { statusCode: 418 });
  });
  app.get(
    '/test/in-prehandler',
    { preHandler: async () => Promise.reject(new HttpError({ status: 403, code: 'forbidden' })) },
    async () => 'never',
  );
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

const postItems = (payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/test/items', headers: { 'content-type': contentType }, payload });

describe('problem+json error handling', () => {
  it('passes a valid request through untouched', async () => {
    const response = await postItems('{"name":"a","count":1}');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: { name: 'a', count: 1 } });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await postItems('{"name":');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json()).toMatchObject({
      type: 'urn:problem:invalid_json',
      status: 400,
      code: 'invalid_json',
      instance: '/test/items',
      request_id: response.headers['x-request-id'],
    });
  });

  it('treats a prototype-poisoning body as invalid JSON, not a crash', async () => {
    const response = await postItems('{"__proto__":{"admin":true},"name":"a","count":1}');
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('invalid_json');
  });

  it('answers a schema violation with 400 validation_failed listing every failing path', async () => {
    const response = await postItems('{"name":"","count":-1,"extra":1}');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    const problem = response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: '/name' }),
        expect.objectContaining({ in: 'body', path: '/count' }),
      ]),
    );
    expect(problem.errors).toHaveLength(2);
    for (const issue of problem.errors) expect(typeof issue.message).toBe('string');
  });

  it('points a missing required property at the property', async () => {
    const response = await postItems('{"name":"a"}');
    expect(response.json().errors).toEqual([
      { in: 'body', path: '/count', message: "must have required property 'count'" },
    ]);
  });

  it('answers a body over the limit with 413 body_too_large', async () => {
    const response = await postItems(JSON.stringify({ name: 'x'.repeat(200), count: 1 }));
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json().code).toBe('body_too_large');
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await postItems('name=a', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json().code).toBe('unsupported_media_type');
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await postItems('');
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('empty_body');
  });

  it('keeps the status and headers of a thrown HttpError', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/unauthorized' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:problem:invalid_token',
      title: 'Unauthorized',
      status: 401,
      detail: 'The access token expired.',
      instance: '/test/unauthorized',
      code: 'invalid_token',
      request_id: response.headers['x-request-id'],
    });
  });

  it('serializes an HttpError thrown from a preHandler (how auth rejects requests)', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/in-prehandler' });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('forbidden');
  });

  it('keeps the status of another 4xx without leaking its message', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/teapot' });
    expect(response.statusCode).toBe(418);
    expect(response.body).not.toContain('internal plugin wording');
    expect(response.json().code).toBe('i_m_a_teapot');
  });

  it('answers an unexpected error with an opaque 500 and logs it server-side', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/test/boom',
      headers: { 'x-request-id': 'boom-1' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:problem:internal_error',
      title: 'Internal Server Error',
      status: 500,
      instance: '/test/boom',
      code: 'internal_error',
      request_id: 'boom-1',
    });
    expect(response.body).not.toMatch(/hunter2|postgres|stack|at /);

    const logged = log.records().find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ level: 50, request_id: 'boom-1', service: 'test-service' });
    const err = (logged?.err ?? {}) as { message?: string; stack?: string };
    expect(err.message).toContain('connection to postgres');
    expect(err.stack).toContain('error-handler.test.ts');
  });

  it('uses the path without the query string as instance', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/unauthorized?code=secret-code' });
    expect(response.json().instance).toBe('/test/unauthorized');
  });

  it('answers a malformed URL with 400 problem+json instead of Fastify plain JSON', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.headers['x-request-id']).toBeTruthy();
    expect(response.json().code).toBe('bad_request');
  });
});

describe('unknown fields', () => {
  it('are rejected with 400 where the schema forbids them, not silently dropped', async () => {
    const { createApp } = await import('./app.ts');
    const app = await createApp({
      name: 'svc',
      logLevel: 'silent',
      openapi: { path: '/svc/openapi.json', title: 't', version: '1' },
    });
    app.post(
      '/svc/things',
      {
        schema: {
          body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } },
        },
      },
      async (request) => request.body,
    );
    const res = await app.inject({
      method: 'POST',
      url: '/svc/things',
      payload: { name: 'a', nmae: 'typo' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(JSON.stringify(res.json().errors)).toContain('nmae');
    await app.close();
  });
});
