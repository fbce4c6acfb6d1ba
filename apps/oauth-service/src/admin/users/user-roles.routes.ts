import type { App, Handler } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { roleView } from '../roles/roles.schemas.ts';
import { assignRoleSchema, listUserRolesSchema, unassignRoleSchema } from './users.schemas.ts';

// A user's roles. Taking a role away takes effect at once: the grants it allowed are revoked with their
// refresh tokens (see sessions/stale-grants.ts), and the last active holder of admin:write keeps theirs.

type Roles = AdminDeps['roles'];

const listUserRoles =
  ({ roles, factors }: AdminDeps): Handler<typeof listUserRolesSchema> =>
  async (request) => {
    const requiring = await factors.policy.rolesRequiringMfa();
    return { items: (await roles.rolesOf(request.params.id)).map((role) => roleView(role, requiring)) };
  };

const assignRole =
  (roles: Roles, { record }: AdminKit): Handler<typeof assignRoleSchema> =>
  async (request, reply) => {
    const { id, roleId } = request.params;
    await roles.assignRole(id, roleId);
    const role = await roles.getRole(roleId);
    await record(request, {
      action: 'role.assign',
      targetType: 'user',
      targetId: id,
      details: { role_id: role.id, role: role.name },
    });
    return reply.status(204).send();
  };

const unassignRole =
  (roles: Roles, { changes, grants, record }: AdminKit): Handler<typeof unassignRoleSchema> =>
  async (request, reply) => {
    const { id, roleId } = request.params;
    await changes.unassignRole(id, roleId);
    const revokedGrants = await grants.forUsers([id]);
    const role = await roles.getRole(roleId);
    await record(request, {
      action: 'role.unassign',
      targetType: 'user',
      targetId: id,
      details: { role_id: role.id, role: role.name, revoked_grants: revokedGrants },
    });
    return reply.status(204).send();
  };

export function userRoleRoutes(app: App, deps: AdminDeps, kit: AdminKit): void {
  const { roles } = deps;
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  app.get('/users/:id/roles', { onRequest: read, schema: listUserRolesSchema }, listUserRoles(deps));
  app.put('/users/:id/roles/:roleId', { onRequest: write, schema: assignRoleSchema }, assignRole(roles, kit));
  app.delete(
    '/users/:id/roles/:roleId',
    { onRequest: write, schema: unassignRoleSchema },
    unassignRole(roles, kit),
  );
}
