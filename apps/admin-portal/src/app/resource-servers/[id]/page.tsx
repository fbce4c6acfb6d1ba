import {
  Group,
  Paper,
  SimpleGrid,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Title,
} from '@mantine/core';
import type { Metadata } from 'next';
import { ActionForm, Hidden, TextField } from '../../../components/form.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { ResourceServer } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import {
  addScope,
  deleteResourceServer,
  deleteScope,
  updateResourceServer,
} from '../../actions/resources.ts';

export const metadata: Metadata = { title: 'Resource server' };

export default async function ResourceServerPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const server = await load(
    adminApi(session).get<ResourceServer>(`/resource-servers/${encodeURIComponent(id)}`),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader title={server.name} description={server.identifier} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Scopes
          </Title>
          <Table>
            <TableThead>
              <TableTr>
                <TableTh>Scope</TableTh>
                <TableTh>Description</TableTh>
                {write ? <TableTh /> : null}
              </TableTr>
            </TableThead>
            <TableTbody>
              {server.scopes.map((scope) => (
                <TableTr key={scope.name}>
                  <TableTd>{scope.name}</TableTd>
                  <TableTd>{scope.description}</TableTd>
                  {write ? (
                    <TableTd>
                      <ActionForm
                        action={deleteScope}
                        submitLabel="Delete"
                        variant="subtle"
                        color="red"
                        size="xs"
                        inline
                        confirm={{
                          title: `Delete scope ${scope.name}?`,
                          message: 'Clients lose it and new tokens no longer carry it.',
                          confirmLabel: 'Delete',
                        }}
                      >
                        <Hidden name="id" value={server.id} />
                        <Hidden name="scope" value={scope.name} />
                      </ActionForm>
                    </TableTd>
                  ) : null}
                </TableTr>
              ))}
            </TableTbody>
          </Table>
          {write ? (
            <>
              <Title order={4} size="h5" mt="lg" mb="xs">
                Add a scope
              </Title>
              <ActionForm action={addScope} schema="scope" submitLabel="Add scope" resetOnSuccess>
                <Hidden name="id" value={server.id} />
                <TextField name="name" label="Scope" required placeholder={`${server.name}:read`} />
                <TextField name="description" label="Description" />
              </ActionForm>
            </>
          ) : null}
        </Paper>
        {write ? (
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">
              Settings
            </Title>
            <ActionForm action={updateResourceServer} schema="resourceServer" submitLabel="Save">
              <Hidden name="id" value={server.id} />
              <TextField name="name" label="Name" defaultValue={server.name} required />
              <TextField name="identifier" label="Identifier" defaultValue={server.identifier} required />
              <TextField name="description" label="Description" defaultValue={server.description} />
              <TextField
                name="access_token_ttl"
                label="Access token lifetime (seconds)"
                type="number"
                defaultValue={server.access_token_ttl === null ? '' : String(server.access_token_ttl)}
              />
            </ActionForm>
            <Group mt="lg">
              <ActionForm
                action={deleteResourceServer}
                submitLabel="Delete resource server"
                color="red"
                variant="outline"
                confirm={{
                  title: `Delete ${server.name}?`,
                  message: 'No new token can be issued for it. This cannot be undone.',
                  confirmLabel: 'Delete',
                }}
              >
                <Hidden name="id" value={server.id} />
              </ActionForm>
            </Group>
          </Paper>
        ) : null}
      </SimpleGrid>
    </>
  );
}
