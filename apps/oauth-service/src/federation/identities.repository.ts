import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { UpstreamIdentitiesTable } from './tables.ts';

// SQL of the links between upstream subjects and local accounts.

type Db = Kysely<OAuthSchema>;

export interface UpstreamIdentity {
  providerId: string;
  subject: string;
  userId: string;
  email: string | null;
  linkedAt: number;
  lastSignInAt: number | null;
}

export interface NewUpstreamIdentity {
  providerId: string;
  subject: string;
  userId: string;
  email?: string | null;
}

const toIdentity = (row: UpstreamIdentitiesTable): UpstreamIdentity => ({
  providerId: row.provider_id,
  subject: row.subject,
  userId: row.user_id,
  email: row.email,
  linkedAt: Number(row.linked_at),
  lastSignInAt: row.last_sign_in_at === null ? null : Number(row.last_sign_in_at),
});

export function createIdentitiesRepository(db: Db, options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  return {
    async find(providerId: string, subject: string): Promise<UpstreamIdentity | undefined> {
      const row = await db
        .selectFrom('upstream_identities')
        .selectAll()
        .where('provider_id', '=', providerId)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return row && toIdentity(row);
    },
    async listForUser(userId: string): Promise<UpstreamIdentity[]> {
      const rows = await db
        .selectFrom('upstream_identities')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('provider_id')
        .execute();
      return rows.map(toIdentity);
    },
    /**
     * Links the upstream subject to the user. A subject already linked, or a user already linked at this
     * provider, fails with the database's unique violation (see isUniqueViolation).
     */
    async link(identity: NewUpstreamIdentity): Promise<UpstreamIdentity> {
      const row: UpstreamIdentitiesTable = {
        provider_id: identity.providerId,
        subject: identity.subject,
        user_id: identity.userId,
        email: identity.email ?? null,
        linked_at: now(),
        last_sign_in_at: null,
      };
      await db.insertInto('upstream_identities').values(row).execute();
      return toIdentity(row);
    },
    /** Removes the user's link at the provider; returns it, or undefined when there was none. */
    async unlink(userId: string, providerId: string): Promise<UpstreamIdentity | undefined> {
      const row = await db
        .deleteFrom('upstream_identities')
        .where('user_id', '=', userId)
        .where('provider_id', '=', providerId)
        .returningAll()
        .executeTakeFirst();
      return row && toIdentity(row);
    },
    /** Records a sign-in through the link, and the address the upstream gave this time when it gave one. */
    async touch(providerId: string, subject: string, email?: string | null): Promise<boolean> {
      const result = await db
        .updateTable('upstream_identities')
        .set({ last_sign_in_at: now(), ...(email === undefined ? {} : { email }) })
        .where('provider_id', '=', providerId)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type IdentitiesRepository = ReturnType<typeof createIdentitiesRepository>;
