import {
  Badge,
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
  VisuallyHidden,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { accountApi } from '../../lib/api/client.ts';
import type { ConnectedApplication } from '../../lib/api/types.ts';
import { accountConfig } from '../../lib/config.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { revokeApplication } from '../actions/account.ts';

export const metadata: Metadata = { title: 'Connected applications' };

function ApplicationRow({ app, self }: { app: ConnectedApplication; self: boolean }) {
  return (
    <TableTr data-testid="application-row" data-client-id={app.clientId}>
      <TableTd>
        <Group gap="xs" wrap="nowrap">
          <span>{app.clientName}</span>
          {app.firstParty ? (
            <Badge color="gray" variant="light">
              platform
            </Badge>
          ) : null}
        </Group>
      </TableTd>
      <TableTd>{app.scopes.join(' ') || '—'}</TableTd>
      <TableTd>{when(app.grantedAt)}</TableTd>
      <TableTd>
        {self ? (
          <Text size="sm" c="dimmed">
            This console
          </Text>
        ) : (
          <ActionForm
            action={revokeApplication}
            submitLabel={`Revoke ${app.clientName}`}
            hidden={{ id: app.clientId }}
            variant="default"
            compact
            confirm={{
              title: `Revoke ${app.clientName}?`,
              message: `${app.clientName} loses access to your account: its tokens stop working and it must ask you again.`,
              confirmLabel: `Revoke ${app.clientName}`,
            }}
          />
        )}
      </TableTd>
    </TableTr>
  );
}

// The applications the user allowed (remembered consents and live grants): revoking one forgets the consent
// and revokes its tokens. This console's own grant is not offered: signing out ends it.
export default async function ApplicationsPage() {
  const session = await requireSession();
  const applications = await accountApi(session).applications();
  const { clientId } = accountConfig();
  const { label, description } = section('/applications');
  return (
    <Stack>
      <PageHeader title={label} description={description} />
      {applications.length === 0 ? (
        <Text c="dimmed">No application has access to your account.</Text>
      ) : (
        <TableScrollContainer minWidth={640}>
          <Table striped aria-label="Applications with access to your account">
            <TableThead>
              <TableTr>
                <TableTh>Application</TableTh>
                <TableTh>Access</TableTh>
                <TableTh>Allowed</TableTh>
                <TableTh>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {applications.map((app) => (
                <ApplicationRow key={app.clientId} app={app} self={app.clientId === clientId} />
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
    </Stack>
  );
}
