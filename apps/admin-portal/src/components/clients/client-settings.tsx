import { Paper, Stack, Text, Title } from '@mantine/core';
import { updateClient } from '../../app/actions/clients.ts';
import type { ExchangeAudience } from '../../lib/admin-api/exchange-audiences.ts';
import type { Client } from '../../lib/admin-api/types.ts';
import { ClientFields } from '../client-fields.tsx';
import { ActionForm, Hidden } from '../form.tsx';

/** The client's settings: the edit form for admin:write, a read-only summary otherwise. */
export function ClientSettings({
  client,
  scopes,
  audiences,
  write,
}: {
  client: Client;
  scopes: string[];
  audiences: ExchangeAudience[];
  write: boolean;
}) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Settings
      </Title>
      {write ? (
        <ActionForm action={updateClient} schema="clientUpdate" submitLabel="Save client">
          <Hidden name="id" value={client.client_id} />
          <ClientFields client={client} scopes={scopes} audiences={audiences} />
        </ActionForm>
      ) : (
        <Stack gap={4}>
          <Text size="sm">Type: {client.type}</Text>
          <Text size="sm">Grant types: {client.grant_types.join(', ')}</Text>
          <Text size="sm">Authentication: {client.token_endpoint_auth_method}</Text>
          <Text size="sm">Redirect URIs: {(client.redirect_uris ?? []).join(', ') || '—'}</Text>
          <Text size="sm">Scopes: {(client.scope ?? []).join(' ') || '—'}</Text>
          <Text size="sm">PKCE: required · DPoP: {client.require_dpop ? 'required' : 'optional'}</Text>
          <Text size="sm">
            Consent: {client.first_party ? 'skipped (first-party)' : 'asked (third-party)'}
          </Text>
          <Text size="sm">
            Token exchange:{' '}
            {client.token_exchange
              ? `${client.token_exchange.audiences.join(', ')} · ${client.token_exchange.scopes.join(' ')}`
              : 'none'}
          </Text>
        </Stack>
      )}
    </Paper>
  );
}
