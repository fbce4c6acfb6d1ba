import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from './test-support.ts';

describe('request validation', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    ({ app } = await buildTestApp());
    app.post<{ Querystring: { n: number }; Body: { name: string } }>(
      '/test/typed',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: { n: { type: 'integer', minimum: -100, maximum: 100 } },
          },
          body: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: 'string' } },
          },
        },
      },
      async (request) => ({ n: request.query.n, name: request.body.name }),
    );
    app.get<{ Params: { id: string } }>(
      '/test/things/:id',
      { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 255 } } } } },
      async (request) => ({ id: request.params.id }),
    );
    await app.ready();
  });
  afterEach(() => app.close());

  it('coerces query strings to their schema types', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/typed?n=20', payload: { name: 'a' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ n: 20, name: 'a' });
  });

  it("refuses a query number that coerces to Infinity, which passes Ajv's minimum and maximum", async () => {
    for (const n of ['Infinity', '-Infinity', '1e400']) {
      const res = await app.inject({ method: 'POST', url: `/test/typed?n=${n}`, payload: { name: 'a' } });
      expect(res.statusCode, n).toBe(400);
      expect(res.json().errors).toEqual([
        { in: 'querystring', path: '/n', message: 'must be a finite number' },
      ]);
    }
  });

  it('does not coerce JSON body types: a boolean where a string is required is a 400', async () => {
    for (const name of [true, 12, ['a']]) {
      const res = await app.inject({ method: 'POST', url: '/test/typed', payload: { name } });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ in: 'body', path: '/name' }));
    }
  });

  it("answers an over-long path parameter with the schema's 400, not the router's 414", async () => {
    const res = await app.inject({ method: 'GET', url: `/test/things/${'x'.repeat(256)}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ in: 'params', path: '/id' });
  });
});
