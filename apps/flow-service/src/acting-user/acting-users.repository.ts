import type { Kysely } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { TokenSeal } from './token-seal.ts';

// The user a run acts for, read by http steps. Rows are written with the run (engine/store/start-run.ts,
// run-control's retry) and deleted when it ends (engine/store/run-lifecycle.ts), inside those transactions.

/**
 * What the start request leaves for the run: the user, their sealed token (null: DPoP-bound), its expiry.
 * The token is the refresh token the user's access token was exchanged for (sealed with REFRESH_PREFIX), or
 * that access token itself when oauth-service issued no refresh token.
 */
export interface SealedActingUser {
  sub: string;
  sealedToken: string | null;
  expiresAt: number;
}

/** Before a sealed refresh token's value: tells it from an access token (neither contains a space). */
export const REFRESH_PREFIX = 'refresh_token ';

/** The user a run acts for, with their token, or why flow-service has none it can use. */
export type ActingUser =
  | { sub: string; expiresAt: number; token: string; kind: 'access_token' | 'refresh_token' }
  | { sub: string; expiresAt: number; token: null; missing: 'dpop_bound' | 'unreadable' };

export interface ActingUsers {
  /** The user the run acts for; null for a run nobody started through the API (schedules, the seed). */
  forRun(runId: string): Promise<ActingUser | null>;
  /** Revokes the refresh tokens among these sealed tokens of ended runs (RFC 7009). */
  release(sealedTokens: string[]): Promise<void>;
}

export function createActingUsers(
  db: Kysely<FlowSchema>,
  seal: TokenSeal,
  revoke: ((refreshToken: string) => Promise<void>) | null,
): ActingUsers {
  return {
    async release(sealedTokens) {
      for (const sealed of sealedTokens) {
        const token = seal.open(sealed);
        if (revoke && token?.startsWith(REFRESH_PREFIX)) await revoke(token.slice(REFRESH_PREFIX.length));
      }
    },
    async forRun(runId) {
      const row = await db
        .selectFrom('run_acting_users')
        .selectAll()
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (!row) return null;
      const base = { sub: row.sub, expiresAt: Number(row.expires_at) };
      if (row.sealed_token === null) return { ...base, token: null, missing: 'dpop_bound' };
      const token = seal.open(row.sealed_token);
      if (token === null) return { ...base, token: null, missing: 'unreadable' };
      return token.startsWith(REFRESH_PREFIX)
        ? { ...base, token: token.slice(REFRESH_PREFIX.length), kind: 'refresh_token' }
        : { ...base, token, kind: 'access_token' };
    },
  };
}

/** The row a run's acting user is stored as. */
export const actingUserRow = (runId: string, user: SealedActingUser) => ({
  run_id: runId,
  sub: user.sub,
  sealed_token: user.sealedToken,
  expires_at: user.expiresAt,
});
