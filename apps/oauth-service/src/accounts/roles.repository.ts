import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@platform/db';
import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import * as fields from './fields.ts';

export interface Role {
  id: string;
  name: string;
  description: string;
  createdAt: number;
}

/** A permission is named after the OAuth scope it lets a user be granted, e.g. `test:read`. */
export interface Permission {
  id: string;
  name: string;
  description: string;
  createdAt: number;
}

export interface NamedInput {
  name: string;
  description?: string;
}

const ROLE_NAME_MAX = 64;
const PERMISSION_NAME_MAX = 128;
const DESCRIPTION_MAX = 500;

type Db = Kysely<OAuthSchema>;
type Row = { id: string; name: string; description: string; created_at: number };

const toNamed = (row: Row) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: Number(row.created_at),
});

export interface RolesRepositoryOptions {
  now?: () => number;
}

export type RolesRepository = ReturnType<typeof createRolesRepository>;

// Roles and permissions have the same shape and rules, so one generic store serves both tables; only the
// name length and the error wording differ.
function createNamedStore(db: Db, table: 'roles' | 'permissions', now: () => number) {
  const entity = table === 'roles' ? 'role' : 'permission';
  const nameMax = table === 'roles' ? ROLE_NAME_MAX : PERMISSION_NAME_MAX;

  function rethrowConflict(error: unknown): never {
    if (isUniqueViolation(error)) throw new ConflictError(entity, 'name');
    throw error;
  }

  async function find(id: string): Promise<Row | undefined> {
    if (typeof id !== 'string') return undefined;
    return db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  }

  async function get(id: string) {
    const row = await find(id);
    if (!row) throw new NotFoundError(entity, id);
    return toNamed(row);
  }

  async function findByName(name: string) {
    if (typeof name !== 'string') return undefined;
    const row = await db.selectFrom(table).selectAll().where('name', '=', name).executeTakeFirst();
    return row && toNamed(row);
  }

  return {
    get,
    findByName,

    async create(input: NamedInput) {
      const issues = new fields.Issues();
      const name = fields.token(issues, 'name', input.name, nameMax);
      const description =
        input.description === undefined
          ? ''
          : fields.text(issues, 'description', input.description, { min: 0, max: DESCRIPTION_MAX });
      issues.throwIfAny();
      if (await findByName(name)) throw new ConflictError(entity, 'name');
      const row = { id: randomUUID(), name, description, created_at: now() };
      await db.insertInto(table).values(row).execute().catch(rethrowConflict);
      return toNamed(row);
    },

    async list() {
      const rows = await db.selectFrom(table).selectAll().orderBy('name').execute();
      return rows.map(toNamed);
    },

    async update(id: string, input: Partial<NamedInput>) {
      const issues = new fields.Issues();
      const changes: { name?: string; description?: string } = {};
      if (input.name !== undefined) changes.name = fields.token(issues, 'name', input.name, nameMax);
      if (input.description !== undefined) {
        changes.description = fields.text(issues, 'description', input.description, {
          min: 0,
          max: DESCRIPTION_MAX,
        });
      }
      issues.throwIfAny();
      const current = await get(id);
      if (changes.name !== undefined && changes.name !== current.name && (await findByName(changes.name))) {
        throw new ConflictError(entity, 'name');
      }
      if (Object.keys(changes).length > 0) {
        await db.updateTable(table).set(changes).where('id', '=', id).execute().catch(rethrowConflict);
      }
      return get(id);
    },

    /** Removes it from every role or user that had it (FK cascade). */
    async delete(id: string): Promise<void> {
      const result = await db.deleteFrom(table).where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new NotFoundError(entity, id);
    },
  };
}

async function assertUser(db: Db, userId: string): Promise<void> {
  const row =
    typeof userId === 'string'
      ? await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
      : undefined;
  if (!row) throw new NotFoundError('user', userId);
}

/** Idempotent: granting a permission the role already has changes nothing. */
async function linkPermission(db: Db, roleId: string, permissionId: string): Promise<void> {
  await db
    .insertInto('role_permissions')
    .values({ role_id: roleId, permission_id: permissionId })
    .onConflict((oc) => oc.columns(['role_id', 'permission_id']).doNothing())
    .execute();
}

async function unlinkPermission(db: Db, roleId: string, permissionId: string): Promise<void> {
  await db
    .deleteFrom('role_permissions')
    .where('role_id', '=', roleId)
    .where('permission_id', '=', permissionId)
    .execute();
}

async function permissionsOfRole(db: Db, roleId: string): Promise<Permission[]> {
  const rows = await db
    .selectFrom('role_permissions')
    .innerJoin('permissions', 'permissions.id', 'role_permissions.permission_id')
    .select(['permissions.id', 'permissions.name', 'permissions.description', 'permissions.created_at'])
    .where('role_permissions.role_id', '=', roleId)
    .orderBy('permissions.name')
    .execute();
  return rows.map(toNamed);
}

/** Idempotent. */
async function linkRole(db: Db, userId: string, roleId: string): Promise<void> {
  await db
    .insertInto('user_roles')
    .values({ user_id: userId, role_id: roleId })
    .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
    .execute();
}

async function unlinkRole(db: Db, userId: string, roleId: string): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).where('role_id', '=', roleId).execute();
}

async function rolesOfUser(db: Db, userId: string): Promise<Role[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select(['roles.id', 'roles.name', 'roles.description', 'roles.created_at'])
    .where('user_roles.user_id', '=', userId)
    .orderBy('roles.name')
    .execute();
  return rows.map(toNamed);
}

/**
 * Names of every permission the user holds through any role: the scopes they may be granted. Empty for
 * a disabled or unknown user, so a disabled account's still-valid session cannot be granted anything.
 */
async function permissionsOfUser(db: Db, userId: string): Promise<Set<string>> {
  if (typeof userId !== 'string') return new Set();
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
    .innerJoin('permissions', 'permissions.id', 'role_permissions.permission_id')
    .select('permissions.name')
    .distinct()
    .where('users.id', '=', userId)
    .where('users.status', '=', 'active')
    .execute();
  return new Set(rows.map((row) => row.name));
}

export function createRolesRepository(db: Db, options: RolesRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  const roles = createNamedStore(db, 'roles', now);
  const permissions = createNamedStore(db, 'permissions', now);
  const assertRoleAndPermission = async (roleId: string, permissionId: string) => {
    await roles.get(roleId);
    await permissions.get(permissionId);
  };
  const assertUserAndRole = async (userId: string, roleId: string) => {
    await assertUser(db, userId);
    await roles.get(roleId);
  };

  return {
    createRole: (input: NamedInput): Promise<Role> => roles.create(input),
    getRole: (id: string): Promise<Role> => roles.get(id),
    findRoleByName: (name: string): Promise<Role | undefined> => roles.findByName(name),
    listRoles: (): Promise<Role[]> => roles.list(),
    updateRole: (id: string, input: Partial<NamedInput>): Promise<Role> => roles.update(id, input),
    deleteRole: (id: string): Promise<void> => roles.delete(id),

    createPermission: (input: NamedInput): Promise<Permission> => permissions.create(input),
    getPermission: (id: string): Promise<Permission> => permissions.get(id),
    findPermissionByName: (name: string): Promise<Permission | undefined> => permissions.findByName(name),
    listPermissions: (): Promise<Permission[]> => permissions.list(),
    updatePermission: (id: string, input: Partial<NamedInput>): Promise<Permission> =>
      permissions.update(id, input),
    deletePermission: (id: string): Promise<void> => permissions.delete(id),

    /** Idempotent: granting a permission the role already has changes nothing. */
    async grantPermission(roleId: string, permissionId: string): Promise<void> {
      await assertRoleAndPermission(roleId, permissionId);
      await linkPermission(db, roleId, permissionId);
    },
    /** Idempotent for an existing role and permission; NotFoundError if either does not exist. */
    async revokePermission(roleId: string, permissionId: string): Promise<void> {
      await assertRoleAndPermission(roleId, permissionId);
      await unlinkPermission(db, roleId, permissionId);
    },
    async permissionsOfRole(roleId: string): Promise<Permission[]> {
      await roles.get(roleId);
      return permissionsOfRole(db, roleId);
    },
    /** Idempotent. */
    async assignRole(userId: string, roleId: string): Promise<void> {
      await assertUserAndRole(userId, roleId);
      await linkRole(db, userId, roleId);
    },
    async unassignRole(userId: string, roleId: string): Promise<void> {
      await assertUserAndRole(userId, roleId);
      await unlinkRole(db, userId, roleId);
    },
    async rolesOf(userId: string): Promise<Role[]> {
      await assertUser(db, userId);
      return rolesOfUser(db, userId);
    },
    permissionsOf: (userId: string): Promise<Set<string>> => permissionsOfUser(db, userId),
  };
}
