import {
  Badge,
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
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm, TextField } from '../../components/form.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { SigningKey } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';
import { rotateKeys } from '../actions/resources.ts';

export const metadata: Metadata = { title: 'Signing keys' };
const COLORS = { active: 'green', pending: 'blue', retired: 'gray', expired: 'dark' } as const;

export default async function KeysPage() {
  const session = await requirePermission('admin:read');
  const keys = await load(adminApi(session).get<{ items: SigningKey[]; signing_kid: string }>('/keys'));
  return (
    <>
      <PageHeader
        title="Signing keys"
        description="Keys that sign tokens; public halves are published in the JWKS."
      />
      <TableScrollContainer minWidth={720}>
        <Table striped>
          <TableThead>
            <TableTr>
              <TableTh>Key ID</TableTh>
              <TableTh>Algorithm</TableTh>
              <TableTh>Status</TableTh>
              <TableTh>Signs from</TableTh>
              <TableTh>Retired</TableTh>
              <TableTh>Unpublished after</TableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {keys.items.map((key) => (
              <TableTr key={key.kid}>
                <TableTd>{key.kid}</TableTd>
                <TableTd>{key.alg}</TableTd>
                <TableTd>
                  <Badge color={COLORS[key.status]} variant="light">
                    {key.status}
                  </Badge>
                </TableTd>
                <TableTd>{when(key.activates_at)}</TableTd>
                <TableTd>{when(key.retired_at)}</TableTd>
                <TableTd>{when(key.expires_at)}</TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
      {can(session.permissions, 'admin:write') ? (
        <Paper withBorder p="md" mt="lg" maw={560}>
          <Title order={3} size="h4" mb="sm">
            Rotate
          </Title>
          <ActionForm
            action={rotateKeys}
            schema="keyRotation"
            submitLabel="Rotate signing key"
            color="orange"
            confirm={{
              title: 'Rotate the signing key?',
              message:
                'A new key is published now and signs after the delay; the current key keeps verifying until its tokens expire.',
              confirmLabel: 'Rotate',
            }}
          >
            <TextField
              name="activation_delay_seconds"
              label="Activation delay (seconds)"
              type="number"
              defaultValue="60"
              description="Time for resource servers to learn the new key before it signs (0 to 3600)."
            />
          </ActionForm>
        </Paper>
      ) : null}
    </>
  );
}
