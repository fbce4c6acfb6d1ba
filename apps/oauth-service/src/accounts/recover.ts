import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { checkPasswordPolicy } from './passwords.ts';
import { createUsersRepository, type User } from './users.repository.ts';

// Break-glass recovery (`pnpm admin:recover <login>`): for an operator with shell access to the database
// when no administrator can sign in (locked by wrong passwords, disabled, password lost). Access to the
// database already means full control, so the command adds no power; it makes the way back short, safe and
// audited. The account is enabled and unlocked and gets a fresh random password that must be changed at the
// next sign-in, so the one-time password shown on the operator's terminal stops working once used.

export interface Recovery {
  user: User;
  /** Shown once to the operator; only its hash is stored. */
  oneTimePassword: string;
}

/** A random password that passes the policy for this user (retried in the unlikely case it does not). */
function oneTimePasswordFor(user: User): string {
  for (;;) {
    const candidate = randomBytes(18).toString('base64url');
    if (checkPasswordPolicy(candidate, { username: user.username, email: user.email }).length === 0)
      return candidate;
  }
}

/** Recovers the user with `login` (username or email); undefined when there is none. */
export async function recoverAccount(
  db: Kysely<OAuthSchema>,
  login: string,
  options: { operator: string; audit: Pick<AuditLog, 'record'>; now?: () => number },
): Promise<Recovery | undefined> {
  const now = options.now ?? Date.now;
  const before = await createUsersRepository(db).findByLogin(login);
  if (!before) return undefined;
  const oneTimePassword = oneTimePasswordFor(before);
  const user = await db.transaction().execute(async (trx) => {
    const users = createUsersRepository(trx, { now });
    // Setting the password also clears the failure count and any lock.
    await users.setPassword(before.id, oneTimePassword, { mustChangePassword: true });
    return users.setStatus(before.id, 'active');
  });
  await options.audit.record({
    actorType: 'system',
    actorId: 'admin-recover',
    actorName: `operator ${options.operator} (admin:recover)`,
    action: 'user.recover',
    targetType: 'user',
    targetId: user.id,
    outcome: 'success',
    details: {
      username: user.username,
      was_locked: before.lockedUntil !== null && before.lockedUntil > now(),
      was_disabled: before.status !== 'active',
      failed_login_count: before.failedLoginCount,
    },
  });
  return { user, oneTimePassword };
}
