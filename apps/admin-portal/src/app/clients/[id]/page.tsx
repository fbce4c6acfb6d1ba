import { Badge, Code, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Metadata } from 'next';
import { ClientFields } from '../../../components/client-fields.tsx';
import { ActionForm, Hidden } from '../../../components/form.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import { knownScopes } from '../../../lib/admin-api/scopes.ts';
import type { Client } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { when } from '../../../lib/format.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { deleteClient, rotateClientSecret, setClientEnabled, updateClient } from '../../actions/clients.ts';

export const metadata: Metadata = { title: 'Client' };

export default async function ClientPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const api = adminApi(session);
  const [client, scopes] = await load(
    Promise.all([api.get<Client>(`/clients/${encodeURIComponent(id)}`), knownScopes(api)]),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader
        title={client.name}
        description={`Client ID ${client.client_id}`}
        actions={
          <Badge size="lg" color={client.enabled ? 'green' : 'gray'} variant="light">
            {client.enabled ? 'enabled' : 'disabled'}
          </Badge>
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Settings
          </Title>
          {write ? (
            <ActionForm action={updateClient} schema="clientUpdate" submitLabel="Save client">
              <Hidden name="id" value={client.client_id} />
              <ClientFields client={client} scopes={scopes} />
            </ActionForm>
          ) : (
            <Stack gap={4}>
              <Text size="sm">Type: {client.type}</Text>
              <Text size="sm">Grant types: {client.grant_types.join(', ')}</Text>
              <Text size="sm">Authentication: {client.token_endpoint_auth_method}</Text>
              <Text size="sm">Redirect URIs: {(client.redirect_uris ?? []).join(', ') || '—'}</Text>
              <Text size="sm">Scopes: {(client.scope ?? []).join(' ') || '—'}</Text>
              <Text size="sm">PKCE: required · DPoP: {client.require_dpop ? 'required' : 'optional'}</Text>
            </Stack>
          )}
        </Paper>
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Credentials and state
          </Title>
          <Text size="sm">
            Secret:{' '}
            {client.has_secret ? (
              <>
                set (last rotated {when(client.secret_rotated_at ?? client.created_at)}); it cannot be shown
                again.
              </>
            ) : (
              <Code>none</Code>
            )}
          </Text>
          {write ? (
            <Stack mt="md">
              {client.type === 'confidential' && client.has_secret ? (
                <ActionForm
                  action={rotateClientSecret}
                  submitLabel="Rotate secret"
                  color="orange"
                  variant="light"
                  confirm={{
                    title: 'Rotate the client secret?',
                    message: 'The current secret stops working at once. The new one is shown once.',
                    confirmLabel: 'Rotate secret',
                  }}
                >
                  <Hidden name="id" value={client.client_id} />
                </ActionForm>
              ) : null}
              <Group>
                <ActionForm
                  action={setClientEnabled}
                  submitLabel={client.enabled ? 'Disable client' : 'Enable client'}
                  color={client.enabled ? 'orange' : 'green'}
                  variant="light"
                  {...(client.enabled
                    ? {
                        confirm: {
                          title: `Disable ${client.client_id}?`,
                          message: 'It can no longer obtain tokens, and its tokens stop being accepted.',
                          confirmLabel: 'Disable',
                        },
                      }
                    : {})}
                >
                  <Hidden name="id" value={client.client_id} />
                  <Hidden name="verb" value={client.enabled ? 'disable' : 'enable'} />
                </ActionForm>
                <ActionForm
                  action={deleteClient}
                  submitLabel="Delete client"
                  color="red"
                  variant="outline"
                  confirm={{
                    title: `Delete ${client.client_id}?`,
                    message: 'The client and the consents users gave it are deleted. This cannot be undone.',
                    confirmLabel: 'Delete',
                  }}
                >
                  <Hidden name="id" value={client.client_id} />
                </ActionForm>
              </Group>
            </Stack>
          ) : null}
        </Paper>
      </SimpleGrid>
    </>
  );
}
