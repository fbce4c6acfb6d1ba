import {
  Badge,
  Card,
  Group,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { AddPasskey } from '../../components/add-passkey.tsx';
import { TextField } from '../../components/fields.tsx';
import { accountApi } from '../../lib/api/client.ts';
import type { Passkey } from '../../lib/api/types.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { removePasskey, renamePasskey } from '../actions/passkeys.ts';

export const metadata: Metadata = { title: 'Passkeys' };

/** Synced passkeys live in a password manager or platform account; device-bound ones on one authenticator. */
function Kind({ passkey }: { passkey: Passkey }) {
  const synced = passkey.deviceType === 'multiDevice';
  return (
    <Group gap="xs" wrap="nowrap">
      <Badge color={synced ? 'blue' : 'gray'} variant="light">
        {synced ? 'Synced' : 'Device-bound'}
      </Badge>
      <Text size="sm">{passkey.backedUp ? 'Backed up' : 'Not backed up'}</Text>
    </Group>
  );
}

function PasskeyRow({ passkey }: { passkey: Passkey }) {
  return (
    <TableTr data-testid="passkey-row">
      <TableTd>
        <ActionForm
          action={renamePasskey}
          submitLabel="Rename"
          hidden={{ id: passkey.id }}
          variant="default"
          compact
        >
          <TextField
            name="name"
            label={`Name of ${passkey.name}`}
            defaultValue={passkey.name}
            required
            maxLength={64}
          />
        </ActionForm>
      </TableTd>
      <TableTd>{when(passkey.createdAt)}</TableTd>
      <TableTd>{passkey.lastUsedAt ? when(passkey.lastUsedAt) : 'Never'}</TableTd>
      <TableTd>
        <Kind passkey={passkey} />
      </TableTd>
      <TableTd>
        <ActionForm
          action={removePasskey}
          submitLabel="Remove"
          hidden={{ id: passkey.id }}
          color="red"
          variant="light"
          compact
          confirm={{
            title: `Remove the passkey “${passkey.name}”?`,
            message: `“${passkey.name}” will no longer sign you in. Remove it from the authenticator too.`,
            confirmLabel: 'Remove passkey',
          }}
        />
      </TableTd>
    </TableTr>
  );
}

// The user's passkeys at oauth-service: each one signs in without a password (and counts as a second
// factor). Added here in this browser, renamed, removed.
export default async function PasskeysPage() {
  const session = await requireSession();
  const passkeys = await accountApi(session).passkeys();
  const { label, description } = section('/passkeys');
  return (
    <Stack>
      <PageHeader title={label} description={description} />
      {passkeys.length === 0 ? (
        <Text c="dimmed">You have no passkey yet.</Text>
      ) : (
        <TableScrollContainer minWidth={820}>
          <Table striped aria-label="Your passkeys">
            <TableThead>
              <TableTr>
                <TableTh>Name</TableTh>
                <TableTh>Added</TableTh>
                <TableTh>Last used</TableTh>
                <TableTh>Kind</TableTh>
                <TableTh>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {passkeys.map((passkey) => (
                <PasskeyRow key={passkey.id} passkey={passkey} />
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
      <Card withBorder maw={560}>
        <Title order={2} size="h4" mb="sm">
          Add a passkey
        </Title>
        <AddPasskey />
      </Card>
    </Stack>
  );
}
