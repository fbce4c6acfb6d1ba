import { type Kysely, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { AuditEvent } from './audit-log.ts';

// The log stores ids (and the actor's name at the time); people read names. Names are looked up when a
// page is read, in one query for the whole page: a renamed user shows their current name, and an id that
// no longer names a user or client is marked deleted.

type Kind = 'user' | 'client';

/** An actor or target as the reader sees it: its name now, or the recorded one when it is gone. */
export interface NamedParty {
  name: string | null;
  /** The id names a user or client that no longer exists. */
  deleted: boolean;
}

export interface AuditEventNames {
  actor: NamedParty;
  target: NamedParty;
  /** The name of the client the actor acted through, when it still exists. */
  clientName: string | null;
}

const isKind = (type: string | null): type is Kind => type === 'user' || type === 'client';

/** Every user id and client id a page of events mentions, to look up at once. */
function idsOf(events: AuditEvent[]): Record<Kind, Set<string>> {
  const ids: Record<Kind, Set<string>> = { user: new Set(), client: new Set() };
  for (const event of events) {
    if (isKind(event.actorType) && event.actorId) ids[event.actorType].add(event.actorId);
    if (isKind(event.targetType) && event.targetId) ids[event.targetType].add(event.targetId);
    if (event.clientId) ids.client.add(event.clientId);
  }
  return ids;
}

async function lookUp(db: Kysely<OAuthSchema>, ids: Record<Kind, Set<string>>) {
  const users = [...ids.user];
  const clients = [...ids.client];
  const userNames = db
    .selectFrom('users')
    .select([sql<Kind>`'user'`.as('kind'), 'id', 'username as name'])
    .where('id', 'in', users);
  const clientNames = db
    .selectFrom('clients')
    .select([sql<Kind>`'client'`.as('kind'), 'client_id as id', 'name'])
    .where('client_id', 'in', clients);
  // `in ()` is not SQL: a kind with no id is left out of the query.
  if (users.length && clients.length) return userNames.unionAll(clientNames).execute();
  if (users.length) return userNames.execute();
  if (clients.length) return clientNames.execute();
  return [];
}

export function createAuditNames(db: Kysely<OAuthSchema>) {
  return {
    /** The names for each event of a page, in the same order; one query for the page. */
    async resolve(events: AuditEvent[]): Promise<AuditEventNames[]> {
      const rows = await lookUp(db, idsOf(events));
      const names = new Map(rows.map((row) => [`${row.kind}:${row.id}`, row.name] as const));
      const party = (type: string | null, id: string | null, recorded: string | null): NamedParty => {
        if (!isKind(type) || !id) return { name: recorded, deleted: false };
        const current = names.get(`${type}:${id}`);
        return current === undefined ? { name: recorded, deleted: true } : { name: current, deleted: false };
      };
      return events.map((event) => ({
        actor: party(event.actorType, event.actorId, event.actorName),
        target: party(event.targetType, event.targetId, null),
        clientName: event.clientId ? (names.get(`client:${event.clientId}`) ?? null) : null,
      }));
    },
  };
}

export type AuditNames = ReturnType<typeof createAuditNames>;
