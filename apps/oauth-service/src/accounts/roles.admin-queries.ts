import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

// Who holds a role or a permission: the users whose grants an admin change to it may narrow. Read before the
// change, since a delete cascades the rows away.

export function createRoleHolderQueries(db: Kysely<OAuthSchema>) {
  return {
    /** Users holding `roleId`. */
    async usersWithRole(roleId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('user_roles')
        .select('user_id')
        .where('role_id', '=', roleId)
        .execute();
      return rows.map((row) => row.user_id);
    },

    /** Users holding `permissionId` through any role. */
    async usersWithPermission(permissionId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('user_roles')
        .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
        .select('user_roles.user_id')
        .distinct()
        .where('role_permissions.permission_id', '=', permissionId)
        .execute();
      return rows.map((row) => row.user_id);
    },
  };
}

export type RoleHolderQueries = ReturnType<typeof createRoleHolderQueries>;
