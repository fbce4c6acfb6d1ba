import type { App, Handler } from '@platform/http';
import type { ResourceServer } from '../../resources/resource-servers.repository.ts';
import type { AdminKit } from '../deps.ts';
import { iso } from '../schemas.ts';
import type { ResourceServerChanges } from './resource-server-changes.ts';
import {
  addScopeSchema,
  createServerSchema,
  deleteServerSchema,
  getServerSchema,
  listServersSchema,
  removeScopeSchema,
  updateServerSchema,
} from './resources.schemas.ts';

type Servers = ResourceServerChanges;

const view = (server: ResourceServer) => ({
  id: server.id,
  name: server.name,
  identifier: server.identifier,
  description: server.description,
  access_token_ttl: server.accessTokenTtl,
  scopes: server.scopes,
  created_at: iso(server.createdAt),
});

const listServers =
  (servers: Servers): Handler<typeof listServersSchema> =>
  async () => ({ items: (await servers.list()).map(view) });

const createServer =
  (servers: Servers, { record }: AdminKit): Handler<typeof createServerSchema> =>
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
  };

const getServer =
  (servers: Servers): Handler<typeof getServerSchema> =>
  async (request) =>
    view(await servers.get(request.params.id));

const updateServer =
  (servers: Servers, { record }: AdminKit): Handler<typeof updateServerSchema> =>
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
  };

const deleteServer =
  (servers: Servers, { record }: AdminKit): Handler<typeof deleteServerSchema> =>
  async (request, reply) => {
    const server = await servers.delete(request.params.id);
    await record(request, {
      action: 'resource_server.delete',
      targetType: 'resource_server',
      targetId: server.id,
      details: { name: server.name, identifier: server.identifier, scopes: server.scopes.map((s) => s.name) },
    });
    return reply.status(204).send();
  };

const addScope =
  (servers: Servers, { record }: AdminKit): Handler<typeof addScopeSchema> =>
  async (request, reply) => {
    const { server, scope, permissionCreated } = await servers.addScope(request.params.id, request.body);
    await record(request, {
      action: 'scope.create',
      targetType: 'resource_server',
      targetId: server.id,
      details: { scope: scope.name, resource_server: server.name, permission_created: permissionCreated },
    });
    // Status first: Fastify's types resolve `status(201).send(…)` to no body for schema-typed routes.
    reply.status(201);
    return reply.send(view(server));
  };

const removeScope =
  (servers: Servers, { record }: AdminKit): Handler<typeof removeScopeSchema> =>
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
  };

export function resourceRoutes(app: App, servers: Servers, kit: AdminKit): void {
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  const one = '/resource-servers/:id';
  app.get('/resource-servers', { onRequest: read, schema: listServersSchema }, listServers(servers));
  app.post('/resource-servers', { onRequest: write, schema: createServerSchema }, createServer(servers, kit));
  app.get(one, { onRequest: read, schema: getServerSchema }, getServer(servers));
  app.patch(one, { onRequest: write, schema: updateServerSchema }, updateServer(servers, kit));
  app.delete(one, { onRequest: write, schema: deleteServerSchema }, deleteServer(servers, kit));
  app.post(`${one}/scopes`, { onRequest: write, schema: addScopeSchema }, addScope(servers, kit));
  app.delete(
    `${one}/scopes/:scope`,
    { onRequest: write, schema: removeScopeSchema },
    removeScope(servers, kit),
  );
}
