import type { z } from 'zod';
import type { AdminApi } from '../admin-api/client.ts';
import type { Page, User } from '../admin-api/types.ts';
import type { Query } from '../api/client.ts';
import { load } from '../api/page.ts';
import type { auditFilterSchema } from '../forms/schemas.ts';

// The audit page's filters as the admin API's query, shared by the page and its CSV export so the download
// holds exactly the events the page lists.

export type AuditFilter = Partial<z.infer<typeof auditFilterSchema>>;

/** The filters the page keeps in its sort, paging and export links. */
export const AUDIT_FILTER_NAMES = ['actor', 'action', 'client_id', 'outcome', 'from', 'to'] as const;

/**
 * The log records actors by id; people remember usernames. A username that names a user stands for its id;
 * anything else is taken as an id (a user id or a client id, which is how clients act).
 */
async function actorId(api: AdminApi, named: string): Promise<string> {
  const matches = await load(api.get<Page<User>>('/users', { search: named, limit: 20 }));
  return matches.items.find((user) => user.username.toLowerCase() === named.toLowerCase())?.id ?? named;
}

/** The admin API's audit query for the validated filters (without order, page or size). */
export async function auditApiQuery(api: AdminApi, filters: AuditFilter): Promise<Query> {
  return {
    actor: filters.actor ? await actorId(api, filters.actor) : undefined,
    action: filters.action,
    client_id: filters.client_id,
    outcome: filters.outcome,
    from: filters.from,
    to: filters.to,
  };
}
