import { Group, Paper, Title } from '@mantine/core';
import { deleteResourceServer, updateResourceServer } from '../../app/actions/resources.ts';
import type { ResourceServer } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, TextField } from '../form.tsx';

/** The resource server's settings form and its deletion (admin:write). */
export function ResourceServerSettings({ server }: { server: ResourceServer }) {
  return (
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
  );
}
