import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { getSetting, setSettingOnce } from '../db/settings.ts';
import { createMfaRepository } from './mfa.repository.ts';

// In production the seeded `admin` role requires a second factor: whoever holds it controls every account.
// Outside production it does not, so development and the test suites sign in with a password alone. Set once
// per database (the marker), so an operator who later clears the flag keeps that choice.

export const ADMIN_MFA_MARKED = 'seeded_admin_mfa_required';
export const SEEDED_ADMIN_ROLE = 'admin';

/** Returns what it changed, for the seed's summary; nothing outside production or once marked. */
export async function requireMfaForSeededAdminRole(
  db: Kysely<OAuthSchema>,
  nodeEnv: string,
): Promise<string | undefined> {
  if (nodeEnv !== 'production' || (await getSetting(db, ADMIN_MFA_MARKED)) !== undefined) return undefined;
  const changed = await createMfaRepository(db).setRoleMfaRequired(SEEDED_ADMIN_ROLE, true);
  await setSettingOnce(db, ADMIN_MFA_MARKED, changed ? SEEDED_ADMIN_ROLE : 'no admin role');
  return changed ? `MFA required for role ${SEEDED_ADMIN_ROLE}` : undefined;
}
