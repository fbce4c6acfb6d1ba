import {
  Group,
  Paper,
  Stack,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { deviceSummary } from '@platform/ui/user-agent';
import { endSession, revokeAllAccess, revokeClientGrant } from '../../app/actions/users.ts';
import type { ClientGrants, SessionInfo, User } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, RowAction } from '../form.tsx';

// The user's sign-in sessions and the access clients hold for them, each revocable, and "sign out
// everywhere".

interface Props {
  user: User;
  write: boolean;
}

function SessionsTable({ user, write, sessions }: Props & { sessions: SessionInfo[] }) {
  return (
    <>
      <Table>
        <TableThead>
          <TableTr>
            <TableTh>Signed in</TableTh>
            <TableTh>Device</TableTh>
            <TableTh>Address</TableTh>
            <TableTh>Last used</TableTh>
            <TableTh>Expires</TableTh>
            <TableTh>Clients</TableTh>
            {write ? <TableTh /> : null}
          </TableTr>
        </TableThead>
        <TableTbody data-testid="user-sessions">
          {sessions.map((s) => (
            <TableTr key={s.id}>
              <TableTd>{when(s.login_at)}</TableTd>
              <TableTd>
                <Text span size="sm" title={s.user_agent ?? undefined}>
                  {deviceSummary(s.user_agent)}
                </Text>
              </TableTd>
              <TableTd>{s.ip ?? '—'}</TableTd>
              <TableTd>{when(s.last_used_at ?? null)}</TableTd>
              <TableTd>{when(s.expires_at)}</TableTd>
              <TableTd>{s.clients.join(', ') || '—'}</TableTd>
              {write ? (
                <TableTd>
                  <RowAction
                    action={endSession}
                    label="End"
                    confirm={{
                      title: 'End this session?',
                      message: 'The next authorization asks the user to sign in again.',
                      confirmLabel: 'End session',
                    }}
                  >
                    <Hidden name="id" value={user.id} />
                    <Hidden name="sessionId" value={s.id} />
                  </RowAction>
                </TableTd>
              ) : null}
            </TableTr>
          ))}
        </TableTbody>
      </Table>
      {sessions.length === 0 ? <Text size="sm">No active sign-in session.</Text> : null}
    </>
  );
}

/** Every scope a client holds for the user, across its grants (plain and per resource). */
const grantedScopes = (g: ClientGrants) => [
  ...new Set(g.grants.flatMap((x) => [...x.scopes, ...Object.values(x.resource_scopes).flat()])),
];

function ClientGrantsList({ user, write, grants }: Props & { grants: ClientGrants[] }) {
  return (
    <>
      <Text size="sm" fw={600} mt="md">
        Access granted to clients
      </Text>
      {grants.length === 0 ? <Text size="sm">No client holds access for this user.</Text> : null}
      {grants.map((g) => (
        <Group key={g.client_id} justify="space-between" mt={4}>
          <Text size="sm">
            {g.client_name ?? g.client_id}: {grantedScopes(g).join(' ') || 'consent only'}
          </Text>
          {write ? (
            <RowAction
              action={revokeClientGrant}
              label="Revoke"
              confirm={{
                title: `Revoke ${g.client_id}'s access?`,
                message: 'Its refresh tokens stop working and the user must sign in and consent again.',
                confirmLabel: 'Revoke access',
              }}
            >
              <Hidden name="id" value={user.id} />
              <Hidden name="clientId" value={g.client_id} />
            </RowAction>
          ) : null}
        </Group>
      ))}
    </>
  );
}

function SignOutEverywhere({ user }: { user: User }) {
  return (
    <Stack mt="md">
      <ActionForm
        action={revokeAllAccess}
        submitLabel="Sign out everywhere"
        color="red"
        variant="light"
        confirm={{
          title: `Sign ${user.username} out everywhere?`,
          message:
            'Every session ends and every grant is revoked: refresh tokens stop working at once, including the console session. Access tokens already issued lapse within minutes.',
          confirmLabel: 'Sign out everywhere',
        }}
      >
        <Hidden name="id" value={user.id} />
      </ActionForm>
    </Stack>
  );
}

export function UserSessions(props: Props & { sessions: SessionInfo[]; grants: ClientGrants[] }) {
  const { user, write } = props;
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Sessions and grants
      </Title>
      <SessionsTable user={user} write={write} sessions={props.sessions} />
      <ClientGrantsList user={user} write={write} grants={props.grants} />
      {write ? <SignOutEverywhere user={user} /> : null}
    </Paper>
  );
}
