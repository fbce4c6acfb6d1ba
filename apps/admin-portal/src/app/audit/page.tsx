import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  TextInput,
} from '@mantine/core';
import type { Metadata } from 'next';
import type { z } from 'zod';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { AuditEvent, Page, User } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { when } from '../../lib/format.ts';
import { auditFilterSchema, fieldErrors } from '../../lib/forms/schemas.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Audit log' };
const PAGE_SIZE = 50;

/** A short, readable summary of an event's details (usernames, names, client ids), for the table. */
function summary(event: AuditEvent): string {
  const d = event.details;
  const pick = ['username', 'name', 'client_id', 'role', 'permission', 'kid', 'scope', 'grant_type'].filter(
    (key) => typeof d[key] === 'string' || typeof d[key] === 'number',
  );
  return pick.map((key) => `${key}=${d[key]}`).join(' ');
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('admin:read');
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(raw);
  const filters: Partial<z.infer<typeof auditFilterSchema>> = parsed.success ? parsed.data : {};
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const api = adminApi(session);
  // The log records actors by id; people remember usernames. A username that names a user stands for its id;
  // anything else is taken as an id (a user id or a client id, which is how clients act).
  let actor = filters.actor;
  if (actor) {
    const named = actor;
    const matches = await load(api.get<Page<User>>('/users', { search: named, limit: 20 }));
    actor = matches.items.find((user) => user.username.toLowerCase() === named.toLowerCase())?.id ?? named;
  }
  const page = await load(
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
  const keep = new URLSearchParams();
  for (const key of ['actor', 'action', 'client_id', 'outcome', 'from', 'to'] as const)
    if (typeof raw[key] === 'string' && raw[key]) keep.set(key, raw[key]);
  const next = page.next_cursor ? new URLSearchParams(keep) : null;
  next?.set('cursor', page.next_cursor!);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and security event, newest first. Times are UTC."
      />
      <Paper withBorder p="md" mb="md">
        <form method="get" aria-label="Filter the audit log">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <TextInput
              name="actor"
              label="Actor (username, user id or client id)"
              defaultValue={raw.actor ?? ''}
              error={errors.actor}
            />
            <TextInput
              name="action"
              label="Action"
              placeholder="user.create or user.*"
              defaultValue={raw.action ?? ''}
              error={errors.action}
            />
            <TextInput
              name="client_id"
              label="Client"
              defaultValue={raw.client_id ?? ''}
              error={errors.client_id}
            />
            <NativeSelect
              name="outcome"
              label="Outcome"
              defaultValue={raw.outcome ?? ''}
              data={[
                { value: '', label: 'Any' },
                { value: 'success', label: 'Success' },
                { value: 'failure', label: 'Failure' },
              ]}
            />
            <TextInput
              name="from"
              label="From (UTC)"
              type="datetime-local"
              defaultValue={raw.from ?? ''}
              error={errors.from}
            />
            <TextInput
              name="to"
              label="To (UTC)"
              type="datetime-local"
              defaultValue={raw.to ?? ''}
              error={errors.to}
            />
          </SimpleGrid>
          <Group mt="md">
            <Button type="submit">Filter</Button>
            <ButtonLink href="/audit" variant="default">
              Clear
            </ButtonLink>
          </Group>
        </form>
        {!parsed.success ? (
          <Text c="red" size="sm" mt="xs" role="alert">
            Some filters are invalid and were ignored.
          </Text>
        ) : null}
      </Paper>
      <TableScrollContainer minWidth={900}>
        <Table striped highlightOnHover>
          <TableThead>
            <TableTr>
              <TableTh>Time</TableTh>
              <TableTh>Actor</TableTh>
              <TableTh>Action</TableTh>
              <TableTh>Target</TableTh>
              <TableTh>Client</TableTh>
              <TableTh>Outcome</TableTh>
              <TableTh>Details</TableTh>
            </TableTr>
          </TableThead>
          <TableTbody data-testid="audit-events">
            {page.items.map((event) => (
              <TableTr key={event.id}>
                <TableTd>
                  <AnchorLink href={`/audit/${event.id}`}>{when(event.created_at)}</AnchorLink>
                </TableTd>
                <TableTd>{event.actor_name ?? event.actor_id ?? event.actor_type}</TableTd>
                <TableTd>{event.action}</TableTd>
                <TableTd>{event.target_type ? `${event.target_type} ${event.target_id ?? ''}` : '—'}</TableTd>
                <TableTd>{event.client_id ?? '—'}</TableTd>
                <TableTd>
                  <Badge color={event.outcome === 'success' ? 'green' : 'red'} variant="light">
                    {event.outcome}
                  </Badge>
                </TableTd>
                <TableTd>{summary(event)}</TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
      {page.items.length === 0 ? <Text mt="md">No events match.</Text> : null}
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
