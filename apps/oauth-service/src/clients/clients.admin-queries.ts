import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

// The few facts about clients the admin API reads on every request or per listed row: whether a client is
// enabled (the admin guard) and clients' names (a user's grants). Plain columns, no secret is unsealed.

export function createClientAdminQueries(db: Kysely<OAuthSchema>) {
  return {
    /** The client's name and whether it is enabled; undefined for an unknown client. */
    async findStatus(clientId: string): Promise<{ name: string; enabled: boolean } | undefined> {
      const row = await db
        .selectFrom('clients')
        .select(['name', 'enabled'])
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && { name: row.name, enabled: Number(row.enabled) === 1 };
    },

    /** Client id → name, for the ids that exist. */
    async namesOf(clientIds: string[]): Promise<Map<string, string>> {
      if (clientIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('clients')
        .select(['client_id', 'name'])
        .where('client_id', 'in', clientIds)
        .execute();
      return new Map(rows.map((row) => [row.client_id, row.name] as const));
    },
  };
}

export type ClientAdminQueries = ReturnType<typeof createClientAdminQueries>;
