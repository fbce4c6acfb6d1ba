import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowedMethods } from './not-found.ts';
import { buildTestApp } from './test-support.ts';

let app: FastifyInstance;

beforeEach(async () => {
  ({ app } = await buildTestApp());
  app.get('/test/items', async () => []);
  app.post('/test/items', async () => ({}));
  app.get('/test/items/:id', async () => ({}));
  app.delete('/test/items/:id', async () => null);
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

describe('unknown routes', () => {
  it('answers an unknown path with 404 not_found problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers.allow).toBeUndefined();
    expect(response.json()).toMatchObject({
      code: 'not_found',
      status: 404,
      instance: '/test/nope',
      request_id: response.headers['x-request-id'],
    });
  });

  it('answers a known static path with the wrong method with 405 and Allow', async () => {
    const response = await app.inject({ method: 'PUT', url: '/test/items' });
    expect(response.statusCode).toBe(405);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers.allow).toBe('GET, HEAD, POST');
    expect(response.json()).toMatchObject({ code: 'method_not_allowed', status: 405 });
  });

  it('answers a known parametric path with the wrong method with 405 and its own Allow', async () => {
    const response = await app.inject({ method: 'PATCH', url: '/test/items/42' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('DELETE, GET, HEAD');
  });

  it('does not mistake a deeper unknown path for the parametric route', async () => {
    const response = await app.inject({ method: 'PATCH', url: '/test/items/42/children' });
    expect(response.statusCode).toBe(404);
  });

  it.each([
    ['malformed JSON', 'PUT', '/test/items', 405, '{"oops'],
    ['malformed JSON', 'POST', '/test/nope', 404, '{"oops'],
    ['an oversize body', 'POST', '/test/nope', 404, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })],
  ] as const)(
    'reports a wrong URL before reading the body (%s, %s %s)',
    async (_label, method, url, status, payload) => {
      const response = await app.inject({
        method,
        url,
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(status);
    },
  );

  it('ignores the query string when looking for other methods', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/test/items?id=1' });
    expect(response.statusCode).toBe(405);
  });
});

describe('allowedMethods', () => {
  it('lists nothing for an unknown path', () => {
    expect(allowedMethods(app, '/nowhere')).toEqual([]);
  });

  it('includes the built-in routes', () => {
    expect(allowedMethods(app, '/health')).toEqual(['GET', 'HEAD']);
  });
});
