import { HttpError } from '@platform/http';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

// The platform must always keep someone who can administer it: the last active user holding `admin:write`
// (through any role) cannot be disabled, deleted, demoted, nor can the permission leave their role. Every
// change that could remove a holder runs through `keepingAnAdmin`, which does the change and the count in one
// transaction, after taking a write lock on the `admin:write` permission row. That lock serialises all such
// changes (a row lock on PostgreSQL, the single writer lock on SQLite), so two concurrent removals of the
// two last administrators cannot both see the other still there.

export const ADMIN_PERMISSION = 'admin:write';

type Db = Kysely<OAuthSchema>;

/** 409 problem: the change would leave no active holder of admin:write. */
export class LastAdminError extends HttpError {
  override name = 'LastAdminError';

  constructor() {
    super({
      status: 409,
      code: 'last_admin',
      detail: `Refused: this change would remove the last active holder of ${ADMIN_PERMISSION}. Give another active user a role carrying ${ADMIN_PERMISSION} first.`,
    });
  }
}

/** Active users holding admin:write through any of their roles. */
export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
    .innerJoin('permissions', 'permissions.id', 'role_permissions.permission_id')
    .select(sql<number | string>`count(distinct users.id)`.as('n'))
    .where('users.status', '=', 'active')
    .where('permissions.name', '=', ADMIN_PERMISSION)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A no-op write on the admin:write row: the lock every admin-affecting change queues behind. */
async function lockAdminPermission(trx: Transaction<OAuthSchema>): Promise<void> {
  await trx
    .updateTable('permissions')
    .set({ name: sql`name` })
    .where('name', '=', ADMIN_PERMISSION)
    .execute();
}

/**
 * Runs `change` in a transaction and commits it only if an active admin:write holder remains (or none existed
 * before, as in an empty database); otherwise rolls it back and throws LastAdminError.
 */
export async function keepingAnAdmin<T>(
  db: Db,
  change: (trx: Transaction<OAuthSchema>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockAdminPermission(trx);
    const before = await countActiveAdmins(trx);
    const result = await change(trx);
    if (before > 0 && (await countActiveAdmins(trx)) === 0) throw new LastAdminError();
    return result;
  });
}
