import {
  Badge,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
} from '@mantine/core';
import type { Metadata } from 'next';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Client } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Clients' };

export default async function ClientsPage() {
  const session = await requirePermission('admin:read');
  const clients = await load(adminApi(session).get<{ items: Client[] }>('/clients'));
  return (
    <>
      <PageHeader
        title="Clients"
        description="Applications that obtain tokens from oauth-service."
        actions={
          can(session.permissions, 'admin:write') ? (
            <ButtonLink href="/clients/new">New client</ButtonLink>
          ) : null
        }
      />
      <TableScrollContainer minWidth={720}>
        <Table striped highlightOnHover>
          <TableThead>
            <TableTr>
              <TableTh>Client ID</TableTh>
              <TableTh>Name</TableTh>
              <TableTh>Type</TableTh>
              <TableTh>Grant types</TableTh>
              <TableTh>Status</TableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {clients.items.map((client) => (
              <TableTr key={client.client_id}>
                <TableTd>
                  <AnchorLink href={`/clients/${encodeURIComponent(client.client_id)}`}>
                    {client.client_id}
                  </AnchorLink>
                </TableTd>
                <TableTd>{client.name}</TableTd>
                <TableTd>{client.type}</TableTd>
                <TableTd>{client.grant_types.join(', ')}</TableTd>
                <TableTd>
                  <Badge color={client.enabled ? 'green' : 'gray'} variant="light">
                    {client.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
    </>
  );
}
