import type { FastifyInstance } from 'fastify';
import { keepingAnAdmin } from '../../accounts/last-admin.ts';
import { createRolesRepository } from '../../accounts/roles.repository.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { roleSchema, roleView } from '../roles/roles.routes.ts';
import { listOf, noContent, params, routeSchema } from '../schemas.ts';

// A user's roles. Taking a role away takes effect at once: the grants it allowed are revoked with their
// refresh tokens (see sessions/stale-grants.ts), and the last active holder of admin:write keeps theirs.

const TAG = 'users';

type IdParams = { id: string };
type AssignmentParams = { id: string; roleId: string };

export function userRoleRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit) {
  const { roles } = deps;
  const { guard, record, grants } = kit;

  app.get<{ Params: IdParams }>(
    '/users/:id/roles',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        "List a user's roles",
        { params: params('id'), response: { 200: listOf(roleSchema) } },
        [404],
      ),
    },
    async (request) => ({ items: (await roles.rolesOf(request.params.id)).map(roleView) }),
  );

  const assignment = (summary: string, errors: number[]) => ({
    onRequest: guard('admin:write'),
    schema: routeSchema(
      'admin:write',
      TAG,
      summary,
      { params: params('id', 'roleId'), response: noContent },
      errors,
    ),
  });

  app.put<{ Params: AssignmentParams }>(
    '/users/:id/roles/:roleId',
    assignment('Assign a role to a user (idempotent)', [404]),
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
    },
  );

  app.delete<{ Params: AssignmentParams }>(
    '/users/:id/roles/:roleId',
    assignment(
      "Take a role from a user (idempotent); revokes the user's grants that held a scope they lose; refused (409) when it would remove the last active holder of admin:write",
      [404, 409],
    ),
    async (request, reply) => {
      const { id, roleId } = request.params;
      await keepingAnAdmin(deps.db, (trx) => createRolesRepository(trx).unassignRole(id, roleId));
      const revokedGrants = await grants.forUsers([id]);
      const role = await roles.getRole(roleId);
      await record(request, {
        action: 'role.unassign',
        targetType: 'user',
        targetId: id,
        details: { role_id: role.id, role: role.name, revoked_grants: revokedGrants },
      });
      return reply.status(204).send();
    },
  );
}
