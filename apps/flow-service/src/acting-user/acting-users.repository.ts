import type { Kysely } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { TokenSeal } from './token-seal.ts';

// The user a run acts for, read by http steps. Rows are written with the run (engine/store/start-run.ts,
// run-control's retry) and deleted when it ends (engine/store/run-lifecycle.ts), inside those transactions.

/** What the start request leaves for the run: the user, their sealed token (null: DPoP-bound), its expiry. */
export interface SealedActingUser {
  sub: string;
  sealedToken: string | null;
  expiresAt: number;
}

/** The user a run acts for, with their token, or why flow-service has none it can use. */
export type ActingUser =
  | { sub: string; expiresAt: number; token: string }
  | { sub: string; expiresAt: number; token: null; missing: 'dpop_bound' | 'unreadable' };

export interface ActingUsers {
  /** The user the run acts for; null for a run nobody started through the API (schedules, the seed). */
  forRun(runId: string): Promise<ActingUser | null>;
}

export function createActingUsers(db: Kysely<FlowSchema>, seal: TokenSeal): ActingUsers {
  return {
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
      return token === null ? { ...base, token: null, missing: 'unreadable' } : { ...base, token };
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
