import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { PasskeysTable } from './tables.ts';

// SQL of the passkeys module: the stored credentials and the single-use challenges.

type Db = Kysely<OAuthSchema>;

/** A stored passkey as the service uses it (the public key included: it is not a secret). */
export interface StoredPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export type NewPasskey = Omit<StoredPasskey, 'id' | 'createdAt' | 'lastUsedAt'>;

function parseTransports(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

const toPasskey = (row: PasskeysTable): StoredPasskey => ({
  id: row.id,
  userId: row.user_id,
  credentialId: row.credential_id,
  publicKey: row.public_key,
  signCount: Number(row.sign_count),
  transports: parseTransports(row.transports),
  backupEligible: Number(row.backup_eligible) === 1,
  backupState: Number(row.backup_state) === 1,
  deviceType: row.device_type,
  aaguid: row.aaguid,
  name: row.name,
  createdAt: Number(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
});

async function insertPasskey(db: Db, passkey: NewPasskey, at: number): Promise<StoredPasskey> {
  const row: PasskeysTable = {
    id: randomUUID(),
    user_id: passkey.userId,
    credential_id: passkey.credentialId,
    public_key: passkey.publicKey,
    sign_count: passkey.signCount,
    transports: JSON.stringify(passkey.transports),
    backup_eligible: passkey.backupEligible ? 1 : 0,
    backup_state: passkey.backupState ? 1 : 0,
    device_type: passkey.deviceType,
    aaguid: passkey.aaguid,
    name: passkey.name,
    created_at: at,
    last_used_at: null,
  };
  await db.insertInto('passkeys').values(row).execute();
  return toPasskey(row);
}

/**
 * Records a use: the new counter and backup state. Guarded by the counter read before the check, so two
 * concurrent assertions with the same counter cannot both pass; false when another use came first.
 */
async function recordUse(
  db: Db,
  passkey: StoredPasskey,
  use: { signCount: number; backupState: boolean; at: number },
): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ sign_count: use.signCount, backup_state: use.backupState ? 1 : 0, last_used_at: use.at })
    .where('id', '=', passkey.id)
    .where('sign_count', '=', passkey.signCount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the challenge of `subject`, replacing an older one; expired ones of others go at the same time. */
async function putChallenge(
  db: Db,
  subject: string,
  challenge: { value: string; expiresAt: number; at: number },
): Promise<void> {
  await db
    .deleteFrom('passkey_challenges')
    .where((eb) => eb.or([eb('subject', '=', subject), eb('expires_at', '<=', challenge.at)]))
    .execute();
  await db
    .insertInto('passkey_challenges')
    .values({ subject, challenge: challenge.value, expires_at: challenge.expiresAt })
    .execute();
}

/** Removes and returns the challenge of `subject` if it has not expired: whoever deletes it owns it. */
async function takeChallenge(db: Db, subject: string, at: number): Promise<string | undefined> {
  const row = await db
    .deleteFrom('passkey_challenges')
    .where('subject', '=', subject)
    .returning(['challenge', 'expires_at'])
    .executeTakeFirst();
  return row && Number(row.expires_at) > at ? row.challenge : undefined;
}

export function createPasskeysRepository(db: Db, options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  return {
    create: (passkey: NewPasskey) => insertPasskey(db, passkey, now()),
    async findByCredentialId(credentialId: string): Promise<StoredPasskey | undefined> {
      const row = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      return row && toPasskey(row);
    },
    async listByUser(userId: string): Promise<StoredPasskey[]> {
      const rows = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toPasskey);
    },
    async rename(userId: string, id: string, name: string): Promise<boolean> {
      const result = await db
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Removes one of the user's passkeys; returns it, or undefined when the user has no such passkey. */
    async remove(userId: string, id: string): Promise<StoredPasskey | undefined> {
      const row = await db
        .deleteFrom('passkeys')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row && toPasskey(row);
    },
    async removeAllOf(userId: string): Promise<number> {
      const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    recordUse: (passkey: StoredPasskey, use: { signCount: number; backupState: boolean }) =>
      recordUse(db, passkey, { ...use, at: now() }),
    putChallenge: (subject: string, challenge: string, expiresAt: number) =>
      putChallenge(db, subject, { value: challenge, expiresAt, at: now() }),
    takeChallenge: (subject: string) => takeChallenge(db, subject, now()),
  };
}

export type PasskeysRepository = ReturnType<typeof createPasskeysRepository>;
