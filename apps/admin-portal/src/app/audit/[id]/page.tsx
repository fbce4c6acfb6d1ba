import { Badge, Code, Paper, Table, TableTbody, TableTd, TableTh, TableTr } from '@mantine/core';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ButtonLink } from '../../../components/links.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { AuditEvent } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { when } from '../../../lib/format.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Audit event' };

export default async function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  if (!/^\d{1,15}$/.test(id)) notFound();
  const event = await load(adminApi(session).get<AuditEvent>(`/audit/${id}`));
  const rows: Array<[string, string]> = [
    ['Time', when(event.created_at)],
    ['Actor', `${event.actor_type} ${event.actor_name ?? ''} ${event.actor_id ? `(${event.actor_id})` : ''}`],
    ['Action', event.action],
    ['Target', event.target_type ? `${event.target_type} ${event.target_id ?? ''}` : '—'],
    ['Client', event.client_id ?? '—'],
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
