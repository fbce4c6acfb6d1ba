import {
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Title,
} from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm, TextField } from '../../components/form.tsx';
import { AnchorLink } from '../../components/links.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { ResourceServer } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';
import { createResourceServer } from '../actions/resources.ts';

export const metadata: Metadata = { title: 'Resource servers' };

export default async function ResourceServersPage() {
  const session = await requirePermission('admin:read');
  const servers = await load(adminApi(session).get<{ items: ResourceServer[] }>('/resource-servers'));
  return (
    <>
      <PageHeader
        title="Resource servers"
        description="APIs tokens are issued for (RFC 8707 resource indicators) and the scopes each offers."
      />
      <TableScrollContainer minWidth={720}>
        <Table striped>
          <TableThead>
            <TableTr>
              <TableTh>Name</TableTh>
              <TableTh>Identifier (audience)</TableTh>
              <TableTh>Scopes</TableTh>
              <TableTh>Token lifetime</TableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {servers.items.map((server) => (
              <TableTr key={server.id}>
                <TableTd>
                  <AnchorLink href={`/resource-servers/${encodeURIComponent(server.id)}`}>
                    {server.name}
                  </AnchorLink>
                </TableTd>
                <TableTd>{server.identifier}</TableTd>
                <TableTd>{server.scopes.map((s) => s.name).join(' ')}</TableTd>
                <TableTd>{server.access_token_ttl ? `${server.access_token_ttl} s` : 'default'}</TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
      {can(session.permissions, 'admin:write') ? (
        <Paper withBorder p="md" mt="lg" maw={560}>
          <Title order={3} size="h4" mb="sm">
            New resource server
          </Title>
          <ActionForm
            action={createResourceServer}
            schema="resourceServer"
            submitLabel="Create resource server"
          >
            <TextField name="name" label="Name" required />
            <TextField
              name="identifier"
              label="Identifier"
              type="url"
              required
              placeholder="https://api.example.com/orders"
            />
            <TextField name="description" label="Description" />
            <TextField
              name="access_token_ttl"
              label="Access token lifetime (seconds)"
              type="number"
              description="Empty for the default."
            />
          </ActionForm>
        </Paper>
      ) : null}
    </>
  );
}
