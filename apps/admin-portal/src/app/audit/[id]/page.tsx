import { Badge, Code, Paper, Table, TableTbody, TableTd, TableTh, TableTr } from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import {
  type AuditParty,
  actorOf,
  clientOf,
  PARTY_PAGES,
  PartyName,
  targetOf,
} from '../../../components/audit/audit-party.tsx';
import { ButtonLink } from '../../../components/links.tsx';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { AuditEvent } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Audit event' };

/** A party by name (linked), with its kind and id beside it: the detail page is where ids are looked up. */
function Party({ party }: { party: AuditParty | null }) {
  if (!party?.id) return <PartyName party={party} />;
  const named = party.type !== null && PARTY_PAGES[party.type] !== undefined;
  return (
    <>
      {party.type} {named ? <PartyName party={party} /> : null} <Code>{party.id}</Code>
    </>
  );
}

export default async function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  if (!/^\d{1,15}$/.test(id)) notFound();
  const event = await load(adminApi(session).get<AuditEvent>(`/audit/${id}`));
  const rows: Array<[string, ReactNode]> = [
    ['Time', when(event.created_at)],
    ['Actor', <Party key="actor" party={actorOf(event)} />],
    ['Action', event.action],
    ['Target', <Party key="target" party={targetOf(event)} />],
    ['Client', <Party key="client" party={clientOf(event)} />],
    ['IP address', event.ip ?? '—'],
    ['User agent', event.user_agent ?? '—'],
    ['Request id', event.request_id ?? '—'],
  ];
  return (
    <>
      <PageHeader
        title={`Audit event ${event.id}`}
        actions={
          <Badge size="lg" color={event.outcome === 'success' ? 'green' : 'red'} variant="light">
            {event.outcome}
          </Badge>
        }
      />
      <Paper withBorder p="md" maw={900}>
        <Table>
          <TableTbody>
            {rows.map(([label, value]) => (
              <TableTr key={label}>
                <TableTh w={160}>{label}</TableTh>
                <TableTd>{value}</TableTd>
              </TableTr>
            ))}
            <TableTr>
              <TableTh>Details</TableTh>
              <TableTd>
                <Code block>{JSON.stringify(event.details, null, 2)}</Code>
              </TableTd>
            </TableTr>
          </TableTbody>
        </Table>
      </Paper>
      <ButtonLink href="/audit" variant="default">
        Back to the audit log
      </ButtonLink>
    </>
  );
}
