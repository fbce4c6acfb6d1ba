import type { Kysely, Selectable } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { TokenExchangePolicy } from './policy.ts';
import type { TokenExchangePoliciesTable } from './tables.ts';

// The token exchange policies: the one module that reads and writes them.

const toPolicy = (row: Selectable<TokenExchangePoliciesTable>): TokenExchangePolicy => ({
  audiences: JSON.parse(row.audiences) as string[],
  scopes: row.scopes ? row.scopes.split(' ') : [],
  delegation: row.delegation === 1,
  impersonation: row.impersonation === 1,
});

export function createTokenExchangePolicies(db: Kysely<OAuthSchema>, now: () => number = Date.now) {
  return {
    /** The client's policy, or null: it may exchange nothing. */
    async get(clientId: string): Promise<TokenExchangePolicy | null> {
      const row = await db
        .selectFrom('token_exchange_policies')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row ? toPolicy(row) : null;
    },

    /** Every client's policy, by client id. */
    async all(): Promise<Map<string, TokenExchangePolicy>> {
      const rows = await db.selectFrom('token_exchange_policies').selectAll().execute();
      return new Map(rows.map((row) => [row.client_id, toPolicy(row)]));
    },

    /** Sets (or with null removes) the client's policy. The caller validated it (policy.ts). */
    async set(clientId: string, policy: TokenExchangePolicy | null): Promise<void> {
      if (policy === null) {
        await db.deleteFrom('token_exchange_policies').where('client_id', '=', clientId).execute();
        return;
      }
      const values = {
        audiences: JSON.stringify(policy.audiences),
        scopes: policy.scopes.join(' '),
        delegation: policy.delegation ? 1 : 0,
        impersonation: policy.impersonation ? 1 : 0,
        updated_at: now(),
      };
      await db
        .insertInto('token_exchange_policies')
        .values({ client_id: clientId, ...values })
        .onConflict((oc) => oc.column('client_id').doUpdateSet(values))
        .execute();
    },
  };
}

export type TokenExchangePolicies = ReturnType<typeof createTokenExchangePolicies>;
