import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { AccountLinkPurpose } from './tables.ts';

// Single-use, expiring links: 32 random bytes in the mail, their SHA-256 in the database (a leaked table
// opens no account). Following a link consumes it in one conditional UPDATE, so of two concurrent uses only
// one finds it unused.

export const RESET_LINK_TTL_MS = 30 * 60_000;
export const VERIFY_LINK_TTL_MS = 24 * 3_600_000;
export const INVITE_LINK_TTL_MS = 72 * 3_600_000;

export const LINK_TTL_MS: Record<AccountLinkPurpose, number> = {
  reset: RESET_LINK_TTL_MS,
  verify: VERIFY_LINK_TTL_MS,
  invite: INVITE_LINK_TTL_MS,
};

/** base64url of 32 bytes: what a token in a link looks like; anything else is refused before any query. */
export const TOKEN_PATTERN = /^[\w-]{43}$/;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Whom a link was mailed to: the account, and the address it was sent to. */
export interface LinkHolder {
  userId: string;
  email: string;
}

export interface AccountLinksOptions {
  now?: () => number;
}

export type AccountLinksRepository = ReturnType<typeof createAccountLinksRepository>;

export function createAccountLinksRepository(db: Kysely<OAuthSchema>, options: AccountLinksOptions = {}) {
  const now = options.now ?? Date.now;

  /** The user a link opens, while it is unused and unexpired; undefined otherwise (unknown, used, expired). */
  async function find(token: string, purpose: AccountLinkPurpose): Promise<LinkHolder | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await db
      .selectFrom('account_links')
      .select(['user_id as userId', 'email'])
      .where('token_hash', '=', hashOf(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now())
      .executeTakeFirst();
    return row;
  }

  return {
    /**
     * A new link for `userId`; the user's unused links of the same purpose stop working, so only the
     * latest mail counts. Returns the token, to be mailed and never stored.
     */
    async issue(holder: LinkHolder, purpose: AccountLinkPurpose): Promise<string> {
      const { userId, email } = holder;
      const token = randomBytes(32).toString('base64url');
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('account_links')
          .set({ used_at: at })
          .where('user_id', '=', userId)
          .where('purpose', '=', purpose)
          .where('used_at', 'is', null)
          .execute();
        await trx
          .insertInto('account_links')
          .values({
            token_hash: hashOf(token),
            purpose,
            user_id: userId,
            email,
            created_at: at,
            expires_at: at + LINK_TTL_MS[purpose],
            used_at: null,
          })
          .execute();
      });
      return token;
    },

    find,

    /** Uses the link up: returns its user once; every later (or concurrent losing) call gets undefined. */
    async consume(token: string, purpose: AccountLinkPurpose): Promise<LinkHolder | undefined> {
      if (!TOKEN_PATTERN.test(token)) return undefined;
      const at = now();
      const row = await db
        .updateTable('account_links')
        .set({ used_at: at })
        .where('token_hash', '=', hashOf(token))
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(['user_id as userId', 'email'])
        .executeTakeFirst();
      return row;
    },

    /** Links that can no longer be used and are older than `olderThanMs`: removed. */
    async deleteStale(olderThanMs: number): Promise<number> {
      const result = await db
        .deleteFrom('account_links')
        .where('created_at', '<', now() - olderThanMs)
        .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now())]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
