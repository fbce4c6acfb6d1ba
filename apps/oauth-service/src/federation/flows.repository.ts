import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

// The upstream sign-ins under way, kept server-side in oidc-provider's payload table (its expired rows are
// swept with the rest) under a model of their own, keyed by the `state` sent upstream. A flow is taken
// once: one DELETE … RETURNING, so two callbacks with the same state cannot both proceed.

const MODEL = 'UpstreamFlow';

export interface PendingFlow {
  providerId: string;
  /** `sign_in`: within interaction `uid`. `link`: for the signed-in `accountId`, back to `returnTo`. */
  mode: 'sign_in' | 'link';
  uid?: string;
  accountId?: string;
  returnTo?: string;
  nonce: string;
  codeVerifier: string;
  /** SHA-256 of the random value in the starting browser's cookie (link mode). */
  browserBinding?: string;
}

export function createFlowsRepository(db: Kysely<OAuthSchema>, options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  return {
    async put(state: string, flow: PendingFlow, ttlMs: number): Promise<void> {
      await db
        .insertInto('oidc_payloads')
        .values({
          model: MODEL,
          id: state,
          payload: JSON.stringify(flow),
          grant_id: null,
          user_code: null,
          uid: null,
          expires_at: now() + ttlMs,
          consumed_at: null,
        })
        .execute();
    },
    /** The flow's uid without using it up (the callback's hop to its interaction reads it). */
    async peek(state: string): Promise<PendingFlow | undefined> {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at'])
        .where('model', '=', MODEL)
        .where('id', '=', state)
        .executeTakeFirst();
      if (!row || (row.expires_at !== null && Number(row.expires_at) <= now())) return undefined;
      return JSON.parse(row.payload) as PendingFlow;
    },
    /** Removes and returns the live flow of `state`; undefined when unknown, expired or already taken. */
    async take(state: string): Promise<PendingFlow | undefined> {
      const row = await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', MODEL)
        .where('id', '=', state)
        .returning(['payload', 'expires_at'])
        .executeTakeFirst();
      if (!row || (row.expires_at !== null && Number(row.expires_at) <= now())) return undefined;
      return JSON.parse(row.payload) as PendingFlow;
    },
  };
}

export type FlowsRepository = ReturnType<typeof createFlowsRepository>;
