import type { FastifyInstance } from 'fastify';
import type { AdminKit } from '../deps.ts';
import { iso, listOf, noContent, params, routeSchema, time } from '../schemas.ts';
import { ACCESS_TOKEN_TTL_RANGE, type ResourceServer, type ResourceServers } from './resource-servers.ts';

const TAG = 'resource-servers';

const scopeSchema = {
  type: 'object',
  required: ['name', 'description'],
  properties: { name: { type: 'string' }, description: { type: 'string' } },
} as const;

export const resourceServerSchema = {
  type: 'object',
  required: ['id', 'name', 'identifier', 'description', 'access_token_ttl', 'scopes', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    identifier: { type: 'string', description: 'RFC 8707 resource indicator; the `aud` of its tokens.' },
    description: { type: 'string' },
    access_token_ttl: {
      type: ['integer', 'null'],
      description: 'Access token lifetime in seconds; null for the service default.',
    },
    scopes: { type: 'array', items: scopeSchema },
    created_at: time,
  },
} as const;

const view = (server: ResourceServer) => ({
  id: server.id,
  name: server.name,
  identifier: server.identifier,
  description: server.description,
  access_token_ttl: server.accessTokenTtl,
  scopes: server.scopes,
  created_at: iso(server.createdAt),
});

// Bounds only; resource-servers.ts applies the rules and names every broken field.
const name = { type: 'string', maxLength: 64 } as const;
const identifier = { type: 'string', maxLength: 512 } as const;
const description = { type: 'string', maxLength: 500 } as const;
const ttl = {
  type: ['integer', 'null'],
  minimum: ACCESS_TOKEN_TTL_RANGE.min,
  maximum: ACCESS_TOKEN_TTL_RANGE.max,
} as const;
const scopeInput = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 128 }, description },
} as const;

interface ServerBody {
  name: string;
  identifier: string;
  description?: string;
  access_token_ttl?: number | null;
  scopes?: Array<{ name: string; description?: string }>;
}

type IdParams = { id: string };

export function resourceRoutes(app: FastifyInstance, servers: ResourceServers, kit: AdminKit) {
  const { guard, record } = kit;

  app.get(
    '/resource-servers',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema('admin:read', TAG, 'List resource servers with their scopes', {
        response: { 200: listOf(resourceServerSchema) },
      }),
    },
    async () => ({ items: (await servers.list()).map(view) }),
  );

  app.post<{ Body: ServerBody }>(
    '/resource-servers',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Create a resource server, optionally with scopes (each gets the RBAC permission of its name)',
        {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'identifier'],
            properties: {
              name,
              identifier,
              description,
              access_token_ttl: ttl,
              scopes: { type: 'array', maxItems: 100, items: scopeInput },
            },
          },
          response: { 201: resourceServerSchema },
        },
        [400, 409],
      ),
    },
    async (request, reply) => {
      const body = request.body;
      const server = await servers.create({
        name: body.name,
        identifier: body.identifier,
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.access_token_ttl !== undefined ? { accessTokenTtl: body.access_token_ttl } : {}),
        ...(body.scopes ? { scopes: body.scopes } : {}),
      });
      await record(request, {
        action: 'resource_server.create',
        targetType: 'resource_server',
        targetId: server.id,
        details: {
          name: server.name,
          identifier: server.identifier,
          scopes: server.scopes.map((s) => s.name),
          permissions_created: server.permissionsCreated,
        },
      });
      return reply
        .status(201)
        .header('location', `/api/admin/resource-servers/${server.id}`)
        .send(view(server));
    },
  );

  app.get<{ Params: IdParams }>(
    '/resource-servers/:id',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        'Get a resource server',
        { params: params('id'), response: { 200: resourceServerSchema } },
        [404],
      ),
    },
    async (request) => view(await servers.get(request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: Partial<Omit<ServerBody, 'scopes'>> }>(
    '/resource-servers/:id',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Update a resource server (scopes have their own routes)',
        {
          params: params('id'),
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { name, identifier, description, access_token_ttl: ttl },
          },
          response: { 200: resourceServerSchema },
        },
        [400, 404, 409],
      ),
    },
    async (request) => {
      const body = request.body;
      const server = await servers.update(request.params.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.identifier !== undefined ? { identifier: body.identifier } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.access_token_ttl !== undefined ? { accessTokenTtl: body.access_token_ttl } : {}),
      });
      await record(request, {
        action: 'resource_server.update',
        targetType: 'resource_server',
        targetId: server.id,
        details: { changed: Object.keys(body).sort(), name: server.name, identifier: server.identifier },
      });
      return view(server);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/resource-servers/:id',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Delete a resource server and its scopes (clients lose them; permissions stay with their roles)',
        { params: params('id'), response: noContent },
        [404, 409],
      ),
    },
    async (request, reply) => {
      const server = await servers.delete(request.params.id);
      await record(request, {
        action: 'resource_server.delete',
        targetType: 'resource_server',
        targetId: server.id,
        details: {
          name: server.name,
          identifier: server.identifier,
          scopes: server.scopes.map((s) => s.name),
        },
      });
      return reply.status(204).send();
    },
  );

  app.post<{ Params: IdParams; Body: { name: string; description?: string } }>(
    '/resource-servers/:id/scopes',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Add a scope to a resource server; the RBAC permission of the same name is created if missing',
        { params: params('id'), body: scopeInput, response: { 201: resourceServerSchema } },
        [400, 404, 409],
      ),
    },
    async (request, reply) => {
      const { server, scope, permissionCreated } = await servers.addScope(request.params.id, request.body);
      await record(request, {
        action: 'scope.create',
        targetType: 'resource_server',
        targetId: server.id,
        details: { scope: scope.name, resource_server: server.name, permission_created: permissionCreated },
      });
      return reply.status(201).send(view(server));
    },
  );

  app.delete<{ Params: { id: string; scope: string } }>(
    '/resource-servers/:id/scopes/:scope',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Remove a scope from a resource server and from every client allowed it',
        { params: params('id', 'scope'), response: { 200: resourceServerSchema } },
        [404],
      ),
    },
    async (request) => {
      const { id, scope } = request.params;
      const { server, clientsChanged } = await servers.removeScope(id, scope);
      await record(request, {
        action: 'scope.delete',
        targetType: 'resource_server',
        targetId: server.id,
        details: { scope, resource_server: server.name, clients_changed: clientsChanged },
      });
      return view(server);
    },
  );
}
