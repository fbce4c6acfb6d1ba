import type { App, Handler } from '@platform/http';
import type { NamedInput } from '../../accounts/roles.repository.ts';
import type { AdminDeps, AdminFactors, AdminKit } from '../deps.ts';
import {
  grantPermissionSchema,
  listRolePermissionsSchema,
  type Named,
  type NamedEntity,
  type NamedSchemas,
  namedView,
  PERMISSIONS,
  permissionSchemas,
  ROLES,
  revokePermissionSchema,
  roleSchemas,
} from './roles.schemas.ts';

// Roles and permissions (RBAC). A permission is named after the OAuth scope it lets a user be granted.

/** A role's MFA flag beside its name and description. */
type NamedChange = NamedInput & { mfa_required?: boolean };

/** What the routes of one named entity (a role or a permission) work on. */
interface NamedStore {
  list(): Promise<Named[]>;
  get(id: string): Promise<Named>;
  create(input: NamedChange): Promise<Named>;
  update(id: string, input: Partial<NamedChange>): Promise<Named>;
  /** Deletes; resolves to the number of grants revoked because of it. */
  remove(id: string): Promise<number>;
}

const listNamed =
  (store: NamedStore): Handler<NamedSchemas['list']> =>
  async () => ({ items: (await store.list()).map(namedView) });

const createNamed =
  (entity: NamedEntity, store: NamedStore, { record }: AdminKit): Handler<NamedSchemas['create']> =>
  async (request, reply) => {
    const created = await store.create(request.body);
    await record(request, {
      action: `${entity}.create`,
      targetType: entity,
      targetId: created.id,
      details: {
        name: created.name,
        ...('mfaRequired' in created ? { mfa_required: created.mfaRequired } : {}),
      },
    });
    const path = entity === 'role' ? ROLES : PERMISSIONS;
    return reply.status(201).header('location', `/api/admin/${path}/${created.id}`).send(namedView(created));
  };

const getNamed =
  (store: NamedStore): Handler<NamedSchemas['get']> =>
  async (request) =>
    namedView(await store.get(request.params.id));

const updateNamed =
  (entity: NamedEntity, store: NamedStore, { record }: AdminKit): Handler<NamedSchemas['update']> =>
  async (request) => {
    const before = await store.get(request.params.id);
    const updated = await store.update(request.params.id, request.body);
    await record(request, {
      action: `${entity}.update`,
      targetType: entity,
      targetId: updated.id,
      details: {
        changed: Object.keys(request.body).sort(),
        name: updated.name,
        ...(before.name !== updated.name ? { previous_name: before.name } : {}),
        ...('mfaRequired' in updated ? { mfa_required: updated.mfaRequired } : {}),
      },
    });
    return namedView(updated);
  };

const removeNamed =
  (entity: NamedEntity, store: NamedStore, { record }: AdminKit): Handler<NamedSchemas['remove']> =>
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
  };

/** CRUD for one of the two named entities, sharing every shape. */
function namedRoutes(app: App, kit: AdminKit, entity: NamedEntity, store: NamedStore): void {
  const [path, schemas] =
    entity === 'role' ? [`/${ROLES}`, roleSchemas] : [`/${PERMISSIONS}`, permissionSchemas];
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  app.get(path, { onRequest: read, schema: schemas.list }, listNamed(store));
  app.post(path, { onRequest: write, schema: schemas.create }, createNamed(entity, store, kit));
  app.get(`${path}/:id`, { onRequest: read, schema: schemas.get }, getNamed(store));
  app.patch(`${path}/:id`, { onRequest: write, schema: schemas.update }, updateNamed(entity, store, kit));
  app.delete(`${path}/:id`, { onRequest: write, schema: schemas.remove }, removeNamed(entity, store, kit));
}

const listRolePermissions =
  (roles: AdminDeps['roles']): Handler<typeof listRolePermissionsSchema> =>
  async (request) => ({ items: (await roles.permissionsOfRole(request.params.id)).map(namedView) });

/** Records a change to which permissions a role carries. */
async function recordPermissionChange(
  request: Parameters<Handler<typeof grantPermissionSchema>>[0],
  roles: AdminDeps['roles'],
  { record }: AdminKit,
  action: 'grant' | 'revoke',
  revokedGrants?: number,
) {
  const { id, permissionId } = request.params;
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
}

const grantPermission =
  (roles: AdminDeps['roles'], kit: AdminKit): Handler<typeof grantPermissionSchema> =>
  async (request, reply) => {
    await roles.grantPermission(request.params.id, request.params.permissionId);
    await recordPermissionChange(request, roles, kit, 'grant');
    return reply.status(204).send();
  };

const revokePermission =
  (roles: AdminDeps['roles'], kit: AdminKit): Handler<typeof revokePermissionSchema> =>
  async (request, reply) => {
    const { id, permissionId } = request.params;
    const holders = await kit.grants.usersWithRole(id);
    await kit.changes.revokePermission(id, permissionId);
    const revokedGrants = await kit.grants.forUsers(holders);
    await recordPermissionChange(request, roles, kit, 'revoke', revokedGrants);
    return reply.status(204).send();
  };

const nameAndDescription = ({ name, description }: Partial<NamedChange>): Partial<NamedInput> => ({
  ...(name !== undefined ? { name } : {}),
  ...(description !== undefined ? { description } : {}),
});

/**
 * The role store: each role with its MFA flag (kept by the MFA module); deleting a role revokes the grants
 * its holders no longer may keep.
 */
function roleStore(roles: AdminDeps['roles'], policy: AdminFactors['policy'], kit: AdminKit): NamedStore {
  const { changes, grants } = kit;
  const withFlag = async (id: string) => {
    const role = await roles.getRole(id);
    return { ...role, mfaRequired: (await policy.rolesRequiringMfa()).has(role.id) };
  };
  const setFlag = async (id: string, required: boolean | undefined) => {
    if (required !== undefined) await policy.setRoleMfaRequiredById(id, required);
  };
  return {
    async list() {
      const requiring = await policy.rolesRequiringMfa();
      return (await roles.listRoles()).map((role) => ({ ...role, mfaRequired: requiring.has(role.id) }));
    },
    get: withFlag,
    async create(input) {
      const role = await roles.createRole({ name: input.name, ...nameAndDescription(input) });
      await setFlag(role.id, input.mfa_required);
      return withFlag(role.id);
    },
    async update(id, input) {
      await roles.updateRole(id, nameAndDescription(input));
      await setFlag(id, input.mfa_required);
      return withFlag(id);
    },
    async remove(id) {
      const holders = await grants.usersWithRole(id);
      await changes.deleteRole(id);
      return grants.forUsers(holders);
    },
  };
}

/** The permission store: renaming or deleting one revokes the grants holding the scope it named. */
function permissionStore(roles: AdminDeps['roles'], { changes, grants }: AdminKit): NamedStore {
  return {
    list: () => roles.listPermissions(),
    get: (id) => roles.getPermission(id),
    create: (input) => roles.createPermission(input),
    async update(id, input) {
      const before = await roles.getPermission(id);
      if (input.name === undefined || input.name === before.name) return roles.updatePermission(id, input);
      const holders = await grants.usersWithPermission(id);
      await changes.updatePermission(id, input);
      await grants.forUsers(holders);
      return roles.getPermission(id);
    },
    async remove(id) {
      const holders = await grants.usersWithPermission(id);
      await changes.deletePermission(id);
      return grants.forUsers(holders);
    },
  };
}

/** Roles, permissions, and which permissions each role carries. */
export function roleRoutes(app: App, { roles, factors }: AdminDeps, kit: AdminKit): void {
  namedRoutes(app, kit, 'role', roleStore(roles, factors.policy, kit));
  namedRoutes(app, kit, 'permission', permissionStore(roles, kit));
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  const url = '/roles/:id/permissions/:permissionId';
  app.get(
    '/roles/:id/permissions',
    { onRequest: read, schema: listRolePermissionsSchema },
    listRolePermissions(roles),
  );
  app.put(url, { onRequest: write, schema: grantPermissionSchema }, grantPermission(roles, kit));
  app.delete(url, { onRequest: write, schema: revokePermissionSchema }, revokePermission(roles, kit));
}
