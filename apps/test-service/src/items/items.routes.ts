import { requireScopes } from '@platform/auth';
import { badRequest, notFound } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { decodeCursor, type ItemsRepository } from './items.repository.ts';

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
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
          },
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null) throw badRequest('cursor is not one this service issued');
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
        response: { 200: item },
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
        response: { 201: item },
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
      },
    },
    async (request, reply) => {
      if (!(await items.remove(request.params.id)))
        throw notFound(`item ${request.params.id} does not exist`);
      return reply.status(204).send();
    },
  );
}
