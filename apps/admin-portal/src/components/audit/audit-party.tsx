import { Text } from '@mantine/core';
import type { AuditEvent } from '../../lib/admin-api/types.ts';
import { segment } from '../../lib/api/client.ts';
import { AnchorLink } from '../links.tsx';

// Who acted, on whom and through which client, by name: a user or client that exists links to its page; one
// that is gone shows the name it had (or its id), marked deleted. Ids stay in the event's detail page.

export interface AuditParty {
  type: string | null;
  id: string | null;
  name: string | null;
  deleted: boolean;
}

/** The console page of each kind of party that has one. */
export const PARTY_PAGES: Record<string, string> = { user: '/users', client: '/clients' };

export function actorOf(event: AuditEvent): AuditParty {
  return {
    type: event.actor_type,
    id: event.actor_id ?? null,
    name: event.actor_name ?? null,
    deleted: event.actor_deleted,
  };
}

export function targetOf(event: AuditEvent): AuditParty {
  return {
    type: event.target_type ?? null,
    id: event.target_id ?? null,
    name: event.target_name ?? null,
    deleted: event.target_deleted,
  };
}

export function clientOf(event: AuditEvent): AuditParty | null {
  if (!event.client_id) return null;
  return {
    type: 'client',
    id: event.client_id,
    name: event.client_name,
    deleted: event.client_name === null,
  };
}

/** A party's name, linked to its page while it exists. */
export function PartyName({ party }: { party: AuditParty | null }) {
  if (!party) return <>—</>;
  const page = party.type ? PARTY_PAGES[party.type] : undefined;
  if (page === undefined) {
    if (party.type === 'system') return <>{party.name ?? 'system'}</>;
    return <>{party.type ? `${party.type} ${party.name ?? party.id ?? ''}` : '—'}</>;
  }
  if (!party.id) return <>{party.name ?? `unknown ${party.type}`}</>;
  if (party.deleted) {
    return (
      <Text span size="sm" title={`${party.type} ${party.id}`} data-deleted="true">
        {party.name ?? party.id} (deleted)
      </Text>
    );
  }
  return <AnchorLink href={`${page}/${segment(party.id)}`}>{party.name ?? party.id}</AnchorLink>;
}
