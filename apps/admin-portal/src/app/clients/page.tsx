import {
  Badge,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { SortableTh } from '../../components/lists/list-controls.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Client } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { sortFrom } from '../../lib/lists/list-params.ts';
import { CLIENT_SORTS, DEFAULT_CLIENT_SORT } from '../../lib/lists/sorts.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Clients' };

export default async function ClientsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  const session = await requirePermission('admin:read');
  const sort = sortFrom(await searchParams, CLIENT_SORTS, DEFAULT_CLIENT_SORT);
  const clients = await load(
    adminApi(session).get<{ items: Client[] }>('/clients', { sort: sort.sort, order: sort.order }),
  );
  const sortable = { path: '/clients', base: new URLSearchParams(), current: sort };
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
      <TableScrollContainer minWidth={860}>
        <Table striped highlightOnHover>
          <TableThead>
            <TableTr>
              <SortableTh {...sortable} column="name">
                Name
              </SortableTh>
              <TableTh>Client ID</TableTh>
              <TableTh>Type</TableTh>
              <TableTh>Grant types</TableTh>
              <TableTh>Status</TableTh>
              <SortableTh {...sortable} column="created_at" firstOrder="desc">
                Created
              </SortableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {clients.items.map((client) => (
              <TableTr key={client.client_id}>
                <TableTd>
                  <AnchorLink href={`/clients/${encodeURIComponent(client.client_id)}`}>
                    {client.name}
                  </AnchorLink>
                </TableTd>
                <TableTd>
                  <Text size="sm" ff="monospace">
                    {client.client_id}
                  </Text>
                </TableTd>
                <TableTd>{client.type}</TableTd>
                <TableTd>{client.grant_types.join(', ')}</TableTd>
                <TableTd>
                  <Badge color={client.enabled ? 'green' : 'gray'} variant="light">
                    {client.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </TableTd>
                <TableTd>{when(client.created_at)}</TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
    </>
  );
}
