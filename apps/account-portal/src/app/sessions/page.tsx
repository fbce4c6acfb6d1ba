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
import { deviceSummary } from '@platform/ui/user-agent';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { accountApi } from '../../lib/api/client.ts';
import type { SignInSession } from '../../lib/api/types.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { endOtherSessions, endSession } from '../actions/account.ts';

export const metadata: Metadata = { title: 'Sessions' };

function SessionRow({ entry }: { entry: SignInSession }) {
  const device = deviceSummary(entry.userAgent);
  return (
    <TableTr data-testid="session-row" data-current={entry.current ? 'true' : 'false'}>
      <TableTd>
        <Group gap="xs" wrap="nowrap">
          <span title={entry.userAgent ?? undefined}>{device}</span>
          {entry.current ? (
            <Badge color="blue" variant="light">
              This session
            </Badge>
          ) : null}
        </Group>
      </TableTd>
      <TableTd>{entry.ip ?? '—'}</TableTd>
      <TableTd>{when(entry.createdAt)}</TableTd>
      <TableTd>{when(entry.lastUsedAt)}</TableTd>
      <TableTd>{entry.applications.map((app) => app.clientName).join(', ') || '—'}</TableTd>
      <TableTd>
        {entry.current ? (
          <Text size="sm" c="dimmed">
            Sign out to end
          </Text>
        ) : (
          <ActionForm
            action={endSession}
            submitLabel="End session"
            hidden={{ id: entry.id }}
            variant="default"
            compact
            confirm={{
              title: 'End this session?',
              message: `${device}${entry.ip ? ` at ${entry.ip}` : ''} will be signed out.`,
              confirmLabel: 'End session',
            }}
          />
        )}
      </TableTd>
    </TableTr>
  );
}

// Every sign-in session of the user at oauth-service, the one this console uses marked; any other can be
// ended, one at a time or all at once.
export default async function SessionsPage() {
  const session = await requireSession();
  const sessions = await accountApi(session).sessions();
  const others = sessions.filter((entry) => !entry.current).length;
  const { label, description } = section('/sessions');
  return (
    <Stack>
      <PageHeader title={label} description={description} />
      <TableScrollContainer minWidth={760}>
        <Table striped aria-label="Your sign-in sessions">
          <TableThead>
            <TableTr>
              <TableTh>Device</TableTh>
              <TableTh>Address</TableTh>
              <TableTh>Signed in</TableTh>
              <TableTh>Last used</TableTh>
              <TableTh>Applications</TableTh>
              <TableTh>
                <VisuallyHidden>Actions</VisuallyHidden>
              </TableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {sessions.map((entry) => (
              <SessionRow key={entry.id} entry={entry} />
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
      {others > 0 ? (
        <ActionForm
          action={endOtherSessions}
          submitLabel="End all other sessions"
          color="red"
          confirm={{
            title: 'End all other sessions?',
            message: `${others === 1 ? 'One other session' : `${others} other sessions`} will be signed out. This one stays.`,
            confirmLabel: 'End them',
          }}
        />
      ) : (
        <Text c="dimmed">You are signed in nowhere else.</Text>
      )}
    </Stack>
  );
}
