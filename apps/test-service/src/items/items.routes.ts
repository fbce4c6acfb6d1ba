import { requireScopes } from '@platform/auth';
import { notFound, problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { CURSOR_PATTERN, decodeCursor, type ItemsRepository } from './items.repository.ts';

const item = {
  type: 'object',
  required: ['id', 'name', 'data', 'created_by', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    data: {},
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

/** A small persisted resource, so tests and load runs through the platform exercise a real database. */
export function itemRoutes(app: FastifyInstance, items: ItemsRepository): void {
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/test/api/v1/items',
    {
      preHandler: requireScopes('test:read'),
      schema: {
        summary: 'List items, newest first (needs test:read)',
        security: [{ bearer: ['test:read'] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            // Empty means the first page, so a client may always send `cursor=${next_cursor ?? ''}`.
            cursor: { type: 'string', pattern: CURSOR_PATTERN },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
          },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : undefined;
      return items.list({ limit, ...(after ? { after } : {}) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/test/api/v1/items/:id',
    {
      preHandler: requireScopes('test:read'),
      schema: {
        summary: 'Get an item (needs test:read)',
        security: [{ bearer: ['test:read'] }],
        params: idParams,
        response: { 200: item, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const found = await items.get(request.params.id);
      if (!found) throw notFound(`item ${request.params.id} does not exist`);
      return found;
    },
  );

  app.post<{ Body: { name: string; data?: unknown } }>(
    '/test/api/v1/items',
    {
      preHandler: requireScopes('test:write'),
      schema: {
        summary: 'Create an item (needs test:write)',
        security: [{ bearer: ['test:write'] }],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, data: {} },
        },
        response: { 201: item, ...problemResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await items.create({
        name: request.body.name,
        data: request.body.data ?? null,
        createdBy: request.token!.sub,
      });
      return reply.status(201).header('location', `/test/api/v1/items/${created.id}`).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/test/api/v1/items/:id',
    {
      preHandler: requireScopes('test:write'),
      schema: {
        summary: 'Delete an item (needs test:write)',
        security: [{ bearer: ['test:write'] }],
        params: idParams,
        response: {
          204: { type: 'null', description: 'Deleted; no body.' },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      if (!(await items.remove(request.params.id)))
        throw notFound(`item ${request.params.id} does not exist`);
      return reply.status(204).send();
    },
  );
}
