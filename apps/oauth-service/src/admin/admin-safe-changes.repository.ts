import type { Kysely } from 'kysely';
import { keepingAnAdmin } from '../accounts/last-admin.ts';
import { createRolesRepository, type RolesRepository } from '../accounts/roles.repository.ts';
import type { UserStatus } from '../accounts/tables.ts';
import { createUsersRepository } from '../accounts/users.repository.ts';
import type { OAuthSchema } from '../db/schema.ts';

// The admin changes that can take admin:write from its last active holder. Each runs in one transaction with
// the last-admin check (accounts/last-admin.ts), so a refused change leaves nothing behind.

export function createAdminSafeChanges(db: Kysely<OAuthSchema>) {
  const withRoles = <T>(change: (roles: RolesRepository) => Promise<T>) =>
    keepingAnAdmin(db, (trx) => change(createRolesRepository(trx)));

  return {
    setUserStatus: (id: string, status: UserStatus) =>
      keepingAnAdmin(db, (trx) => createUsersRepository(trx).setStatus(id, status)),

    /** Deletes the user; returns how many consents went with them (counted before the delete cascades). */
    deleteUser: (id: string) =>
      keepingAnAdmin(db, async (trx) => {
        const removed = await trx.deleteFrom('consents').where('user_id', '=', id).executeTakeFirst();
        await createUsersRepository(trx).delete(id);
        return Number(removed.numDeletedRows);
      }),

    unassignRole: (userId: string, roleId: string) =>
      withRoles((roles) => roles.unassignRole(userId, roleId)),
    deleteRole: (id: string) => withRoles((roles) => roles.deleteRole(id)),
    updatePermission: (id: string, input: { name?: string; description?: string }) =>
      withRoles((roles) => roles.updatePermission(id, input)),
    deletePermission: (id: string) => withRoles((roles) => roles.deletePermission(id)),
    revokePermission: (roleId: string, permissionId: string) =>
      withRoles((roles) => roles.revokePermission(roleId, permissionId)),
  };
}

export type AdminSafeChanges = ReturnType<typeof createAdminSafeChanges>;
