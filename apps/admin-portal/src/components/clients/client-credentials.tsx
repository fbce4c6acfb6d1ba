import { Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { deleteClient, rotateClientSecret, setClientEnabled } from '../../app/actions/clients.ts';
import type { Client } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden } from '../form.tsx';

/** The client's secret (never shown again), rotating it, enabling or disabling and deleting the client. */
export function ClientCredentials({ client, write }: { client: Client; write: boolean }) {
  return (
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
              <Hidden name="name" value={client.name} />
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
                      title: `Disable ${client.name}?`,
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
                title: `Delete ${client.name}?`,
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
  );
}
