import { Group, Text } from '@mantine/core';
import type { Metadata } from 'next';
import type { z } from 'zod';
import { AuditFilters } from '../../components/audit/audit-filters.tsx';
import { AuditTable } from '../../components/audit/audit-table.tsx';
import { ButtonLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { AuditEvent, Page, User } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { auditFilterSchema, fieldErrors } from '../../lib/forms/schemas.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Audit log' };
const PAGE_SIZE = 50;

type Api = ReturnType<typeof adminApi>;
type AuditFilter = Partial<z.infer<typeof auditFilterSchema>>;

/**
 * The log records actors by id; people remember usernames. A username that names a user stands for its id;
 * anything else is taken as an id (a user id or a client id, which is how clients act).
 */
async function actorId(api: Api, named: string): Promise<string> {
  const matches = await load(api.get<Page<User>>('/users', { search: named, limit: 20 }));
  return matches.items.find((user) => user.username.toLowerCase() === named.toLowerCase())?.id ?? named;
}

/** The filters the page keeps in its paging links (the cursor aside). */
function keptFilters(raw: Record<string, string>): URLSearchParams {
  const keep = new URLSearchParams();
  for (const key of ['actor', 'action', 'client_id', 'outcome', 'from', 'to'] as const)
    if (typeof raw[key] === 'string' && raw[key]) keep.set(key, raw[key]);
  return keep;
}

/** One page of events matching the filters, newest first. */
async function eventsPage(api: Api, filters: AuditFilter): Promise<Page<AuditEvent>> {
  const actor = filters.actor ? await actorId(api, filters.actor) : undefined;
  return load(
    api.get<Page<AuditEvent>>('/audit', {
      actor,
      action: filters.action,
      client_id: filters.client_id,
      outcome: filters.outcome,
      from: filters.from,
      to: filters.to,
      cursor: filters.cursor,
      limit: PAGE_SIZE,
    }),
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('admin:read');
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(raw);
  const filters: AuditFilter = parsed.success ? parsed.data : {};
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const api = adminApi(session);
  // A malformed filter lists nothing: its error is on the form, and unfiltered rows would pass for a result.
  const page: Page<AuditEvent> = parsed.success
    ? await eventsPage(api, filters)
    : { items: [], next_cursor: null };
  const keep = keptFilters(raw);
  const next = page.next_cursor ? new URLSearchParams(keep) : null;
  next?.set('cursor', page.next_cursor!);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and security event, newest first. Times are UTC."
      />
      <AuditFilters raw={raw} errors={errors} invalid={!parsed.success} />
      <AuditTable events={page.items} />
      {page.items.length === 0 ? (
        <Text mt="md">{parsed.success ? 'No events match.' : 'Fix the filter above to see events.'}</Text>
      ) : null}
      <Group mt="md">
        {filters.cursor ? (
          <ButtonLink href={`/audit${keep.size ? `?${keep}` : ''}`} variant="default">
            Newest
          </ButtonLink>
        ) : null}
        {next ? (
          <ButtonLink href={`/audit?${next}`} variant="default">
            Older events
          </ButtonLink>
        ) : null}
      </Group>
    </>
  );
}
