import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../../db/schema.ts';

// The public timeline of the signing keys, newest activation first. The sealed private JWK is never read.

export interface SigningKeyTimeline {
  kid: string;
  alg: string;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}

export function createSigningKeyTimelineRepository(db: Kysely<OAuthSchema>) {
  return {
    async list(): Promise<SigningKeyTimeline[]> {
      const rows = await db
        .selectFrom('signing_keys')
        .select(['kid', 'alg', 'created_at', 'activates_at', 'retired_at', 'expires_at'])
        .orderBy('activates_at', 'desc')
        .orderBy('kid', 'desc')
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        createdAt: Number(row.created_at),
        activatesAt: Number(row.activates_at),
        retiredAt: row.retired_at === null ? null : Number(row.retired_at),
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      }));
    },
  };
}

export type SigningKeyTimelineRepository = ReturnType<typeof createSigningKeyTimelineRepository>;
