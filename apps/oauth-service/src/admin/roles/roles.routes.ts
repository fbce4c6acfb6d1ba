import type { FastifyInstance } from 'fastify';
import { keepingAnAdmin } from '../../accounts/last-admin.ts';
import {
  createRolesRepository,
  type Permission,
  type Role,
  type RolesRepository,
} from '../../accounts/roles.repository.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, listOf, noContent, params, routeSchema, time } from '../schemas.ts';

// Roles and permissions (RBAC). A permission is named after the OAuth scope it lets a user be granted.

const ROLES = 'roles';
const PERMISSIONS = 'permissions';

const namedSchema = (what: string) =>
  ({
    type: 'object',
    required: ['id', 'name', 'description', 'created_at'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string', description: what },
      description: { type: 'string' },
      created_at: time,
    },
  }) as const;

export const roleSchema = namedSchema('Role name, a single token such as `operator`.');
export const permissionSchema = namedSchema('The OAuth scope this permission lets a user be granted.');

const named = (item: Role | Permission) => ({
  id: item.id,
  name: item.name,
  description: item.description,
  created_at: iso(item.createdAt),
});
export const roleView = named;
export const permissionView = named;

// Bounds only; the roles repository applies the token rule and reports it per field.
const nameField = { type: 'string', maxLength: 128 } as const;
const descriptionField = { type: 'string', maxLength: 500 } as const;

interface NamedBody {
  name: string;
  description?: string;
}

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: nameField, description: descriptionField },
} as const;

const updateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: nameField, description: descriptionField },
} as const;

type IdParams = { id: string };

/** CRUD for one of the two named entities, sharing every shape. */
function namedRoutes(
  app: FastifyInstance,
  kit: AdminKit,
  entity: 'role' | 'permission',
  store: {
    list(): Promise<Array<Role | Permission>>;
    get(id: string): Promise<Role | Permission>;
    create(input: NamedBody): Promise<Role | Permission>;
    update(id: string, input: Partial<NamedBody>): Promise<Role | Permission>;
    /** Deletes; resolves to the number of grants revoked because of it. */
    remove(id: string): Promise<number>;
  },
) {
  const { guard, record } = kit;
  const tag = entity === 'role' ? ROLES : PERMISSIONS;
  const path = `/${tag}`;
  const schema = entity === 'role' ? roleSchema : permissionSchema;

  app.get(
    path,
    {
      onRequest: guard('admin:read'),
      schema: routeSchema('admin:read', tag, `List ${tag} by name`, { response: { 200: listOf(schema) } }),
    },
    async () => ({ items: (await store.list()).map(named) }),
  );

  app.post<{ Body: NamedBody }>(
    path,
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        tag,
        `Create a ${entity}`,
        { body: createBody, response: { 201: schema } },
        [400, 409],
      ),
    },
    async (request, reply) => {
      const created = await store.create(request.body);
      await record(request, {
        action: `${entity}.create`,
        targetType: entity,
        targetId: created.id,
        details: { name: created.name },
      });
      return reply.status(201).header('location', `/api/admin${path}/${created.id}`).send(named(created));
    },
  );

  app.get<{ Params: IdParams }>(
    `${path}/:id`,
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        tag,
        `Get a ${entity}`,
        { params: params('id'), response: { 200: schema } },
        [404],
      ),
    },
    async (request) => named(await store.get(request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: Partial<NamedBody> }>(
    `${path}/:id`,
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        tag,
        entity === 'role'
          ? 'Rename or describe a role'
          : 'Rename or describe a permission; renaming revokes the grants holding the old scope name, and is refused (409) for admin:write while it makes the last administrator',
        { params: params('id'), body: updateBody, response: { 200: schema } },
        [400, 404, 409],
      ),
    },
    async (request) => {
      const before = await store.get(request.params.id);
      const updated = await store.update(request.params.id, request.body);
      await record(request, {
        action: `${entity}.update`,
        targetType: entity,
        targetId: updated.id,
        details: {
          name: updated.name,
          ...(before.name !== updated.name ? { previous_name: before.name } : {}),
        },
      });
      return named(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    `${path}/:id`,
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        tag,
        `${entity === 'role' ? 'Delete a role (its users lose it)' : 'Delete a permission (every role loses it)'}; grants holding a scope this takes away are revoked; refused (409) when it would remove the last active holder of admin:write`,
        { params: params('id'), response: noContent },
        [404, 409],
      ),
    },
    async (request, reply) => {
      const existing = await store.get(request.params.id);
      const revokedGrants = await store.remove(existing.id);
      await record(request, {
        action: `${entity}.delete`,
        targetType: entity,
        targetId: existing.id,
        details: { name: existing.name, revoked_grants: revokedGrants },
      });
      return reply.status(204).send();
    },
  );
}

/** Roles, permissions, and which permissions each role carries. */
export function roleRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit) {
  const { roles, db } = deps;
  const { guard, record, grants } = kit;
  // Changes that can narrow what users hold run under the last-admin check, then revoke what they took away.
  const narrowing = async (holders: string[], change: (trx: RolesRepository) => Promise<unknown>) => {
    await keepingAnAdmin(db, (trx) => change(createRolesRepository(trx)));
    return grants.forUsers(holders);
  };

  namedRoutes(app, kit, 'role', {
    list: () => roles.listRoles(),
    get: (id) => roles.getRole(id),
    create: (input) => roles.createRole(input),
    update: (id, input) => roles.updateRole(id, input),
    remove: async (id) => narrowing(await grants.usersWithRole(id), (trx) => trx.deleteRole(id)),
  });
  namedRoutes(app, kit, 'permission', {
    list: () => roles.listPermissions(),
    get: (id) => roles.getPermission(id),
    create: (input) => roles.createPermission(input),
    async update(id, input) {
      const before = await roles.getPermission(id);
      if (input.name === undefined || input.name === before.name) return roles.updatePermission(id, input);
      const holders = await grants.usersWithPermission(id);
      await narrowing(holders, (trx) => trx.updatePermission(id, input));
      return roles.getPermission(id);
    },
    remove: async (id) => narrowing(await grants.usersWithPermission(id), (trx) => trx.deletePermission(id)),
  });

  app.get<{ Params: IdParams }>(
    '/roles/:id/permissions',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        ROLES,
        "List a role's permissions",
        { params: params('id'), response: { 200: listOf(permissionSchema) } },
        [404],
      ),
    },
    async (request) => ({ items: (await roles.permissionsOfRole(request.params.id)).map(named) }),
  );

  const change = (summary: string, errors: number[]) => ({
    onRequest: guard('admin:write'),
    schema: routeSchema(
      'admin:write',
      ROLES,
      summary,
      { params: params('id', 'permissionId'), response: noContent },
      errors,
    ),
  });

  for (const [method, action] of [
    ['PUT', 'grant'],
    ['DELETE', 'revoke'],
  ] as const) {
    app.route<{ Params: { id: string; permissionId: string } }>({
      method,
      url: '/roles/:id/permissions/:permissionId',
      ...change(
        action === 'grant'
          ? 'Grant a permission to a role (idempotent)'
          : "Revoke a permission from a role (idempotent); revokes its holders' grants of that scope; refused (409) when it would remove the last active holder of admin:write",
        action === 'grant' ? [404] : [404, 409],
      ),
      handler: async (request, reply) => {
        const { id, permissionId } = request.params;
        let revokedGrants: number | undefined;
        if (action === 'grant') await roles.grantPermission(id, permissionId);
        else
          revokedGrants = await narrowing(await grants.usersWithRole(id), (trx) =>
            trx.revokePermission(id, permissionId),
          );
        const [role, permission] = [await roles.getRole(id), await roles.getPermission(permissionId)];
        await record(request, {
          action: `role.permission_${action}`,
          targetType: 'role',
          targetId: role.id,
          details: {
            role: role.name,
            permission_id: permission.id,
            permission: permission.name,
            ...(revokedGrants === undefined ? {} : { revoked_grants: revokedGrants }),
          },
        });
        return reply.status(204).send();
      },
    });
  }
}
