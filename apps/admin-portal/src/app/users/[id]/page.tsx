import {
  Alert,
  Badge,
  Group,
  Paper,
  SimpleGrid,
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
import type { Metadata } from 'next';
import {
  ActionForm,
  CheckboxField,
  Hidden,
  PasswordField,
  SelectField,
  TextField,
} from '../../../components/form.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { ClientGrants, Named, SessionInfo, User } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { when } from '../../../lib/format.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import {
  assignRole,
  deleteUser,
  endSession,
  resetPassword,
  revokeAllAccess,
  revokeClientGrant,
  setUserStatus,
  unassignRole,
  updateUser,
} from '../../actions/users.ts';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const { created } = await searchParams;
  const api = adminApi(session);
  const base = `/users/${encodeURIComponent(id)}`;
  const user = await load(api.get<User>(base));
  const [userRoles, allRoles, sessions, grants] = await load(
    Promise.all([
      api.get<{ items: Named[] }>(`${base}/roles`),
      api.get<{ items: Named[] }>('/roles'),
      api.get<{ items: SessionInfo[] }>(`${base}/sessions`),
      api.get<{ items: ClientGrants[] }>(`${base}/grants`),
    ]),
  );
  const write = can(session.permissions, 'admin:write');
  const assigned = new Set(userRoles.items.map((r) => r.id));
  const assignable = allRoles.items.filter((r) => !assigned.has(r.id));

  return (
    <>
      <PageHeader
        title={user.username}
        description={`${user.email}${user.display_name ? ` · ${user.display_name}` : ''}`}
        actions={
          <Badge
            size="lg"
            color={user.status === 'active' ? 'green' : 'gray'}
            variant="light"
            data-testid="user-status"
          >
            {user.status}
          </Badge>
        }
      />
      {created ? (
        <Alert color="green" mb="md" role="status">
          User {user.username} created.
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Profile
          </Title>
          <Text size="sm">
            Created {when(user.created_at)} · last sign-in {when(user.last_login_at)}
          </Text>
          <Text size="sm" mb="sm">
            Failed sign-ins: {user.failed_login_count ?? 0}
            {user.locked_until ? ` · locked until ${when(user.locked_until)}` : ''}
            {user.must_change_password ? ' · must change password at next sign-in' : ''}
          </Text>
          {write ? (
            <ActionForm action={updateUser} schema="userUpdate" submitLabel="Save profile">
              <Hidden name="id" value={user.id} />
              <TextField name="username" label="Username" defaultValue={user.username} required />
              <TextField name="email" label="Email" type="email" defaultValue={user.email} required />
              <TextField name="display_name" label="Display name" defaultValue={user.display_name} />
            </ActionForm>
          ) : null}
        </Paper>

        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Roles
          </Title>
          <Stack gap="xs" mb="sm" data-testid="user-roles">
            {userRoles.items.length === 0 ? (
              <Text size="sm">No roles: this user can be granted no scope.</Text>
            ) : null}
            {userRoles.items.map((role) => (
              <Group key={role.id} justify="space-between">
                <Text size="sm">
                  <b>{role.name}</b> {role.description ? `— ${role.description}` : ''}
                </Text>
                {write ? (
                  <ActionForm
                    action={unassignRole}
                    submitLabel="Remove"
                    variant="subtle"
                    color="red"
                    size="xs"
                    inline
                    confirm={{
                      title: `Remove role ${role.name}?`,
                      message: `${user.username} loses the permissions of ${role.name} at their next admin request.`,
                      confirmLabel: 'Remove role',
                    }}
                  >
                    <Hidden name="id" value={user.id} />
                    <Hidden name="roleId" value={role.id} />
                  </ActionForm>
                ) : null}
              </Group>
            ))}
          </Stack>
          {write && assignable.length > 0 ? (
            <ActionForm action={assignRole} submitLabel="Assign role">
              <Hidden name="id" value={user.id} />
              <SelectField
                name="roleId"
                label="Add a role"
                options={assignable.map((role) => ({ value: role.id, label: role.name }))}
              />
            </ActionForm>
          ) : null}
        </Paper>

        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Sessions and grants
          </Title>
          <Table>
            <TableThead>
              <TableTr>
                <TableTh>Signed in</TableTh>
                <TableTh>Expires</TableTh>
                <TableTh>Clients</TableTh>
                {write ? <TableTh /> : null}
              </TableTr>
            </TableThead>
            <TableTbody data-testid="user-sessions">
              {sessions.items.map((s) => (
                <TableTr key={s.id}>
                  <TableTd>{when(s.login_at)}</TableTd>
                  <TableTd>{when(s.expires_at)}</TableTd>
                  <TableTd>{s.clients.join(', ') || '—'}</TableTd>
                  {write ? (
                    <TableTd>
                      <ActionForm
                        action={endSession}
                        submitLabel="End"
                        variant="subtle"
                        color="red"
                        size="xs"
                        inline
                        confirm={{
                          title: 'End this session?',
                          message: 'The next authorization asks the user to sign in again.',
                          confirmLabel: 'End session',
                        }}
                      >
                        <Hidden name="id" value={user.id} />
                        <Hidden name="sessionId" value={s.id} />
                      </ActionForm>
                    </TableTd>
                  ) : null}
                </TableTr>
              ))}
            </TableTbody>
          </Table>
          {sessions.items.length === 0 ? <Text size="sm">No active sign-in session.</Text> : null}
          <Text size="sm" fw={600} mt="md">
            Access granted to clients
          </Text>
          {grants.items.length === 0 ? <Text size="sm">No client holds access for this user.</Text> : null}
          {grants.items.map((g) => (
            <Group key={g.client_id} justify="space-between" mt={4}>
              <Text size="sm">
                {g.client_name ?? g.client_id}:{' '}
                {[
                  ...new Set(
                    g.grants.flatMap((x) => [...x.scopes, ...Object.values(x.resource_scopes).flat()]),
                  ),
                ].join(' ') || 'consent only'}
              </Text>
              {write ? (
                <ActionForm
                  action={revokeClientGrant}
                  submitLabel="Revoke"
                  variant="subtle"
                  color="red"
                  size="xs"
                  inline
                  confirm={{
                    title: `Revoke ${g.client_id}'s access?`,
                    message: 'Its refresh tokens stop working and the user must sign in and consent again.',
                    confirmLabel: 'Revoke access',
                  }}
                >
                  <Hidden name="id" value={user.id} />
                  <Hidden name="clientId" value={g.client_id} />
                </ActionForm>
              ) : null}
            </Group>
          ))}
          {write ? (
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
          ) : null}
        </Paper>

        {write ? (
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">
              Password and account
            </Title>
            <ActionForm
              action={resetPassword}
              schema="passwordReset"
              submitLabel="Reset password"
              resetOnSuccess
            >
              <Hidden name="id" value={user.id} />
              <PasswordField name="password" label="New password" description="12 to 128 characters." />
              <PasswordField name="confirm" label="Repeat the new password" />
              <CheckboxField
                name="must_change_password"
                label="Ask for a new password at next sign-in"
                defaultChecked
              />
            </ActionForm>
            <Group mt="lg">
              <ActionForm
                action={setUserStatus}
                submitLabel={user.status === 'active' ? 'Disable account' : 'Enable account'}
                color={user.status === 'active' ? 'orange' : 'green'}
                variant="light"
                {...(user.status === 'active'
                  ? {
                      confirm: {
                        title: `Disable ${user.username}?`,
                        message:
                          'They can no longer sign in, and the admin API refuses their tokens at once.',
                        confirmLabel: 'Disable',
                      },
                    }
                  : {})}
              >
                <Hidden name="id" value={user.id} />
                <Hidden name="verb" value={user.status === 'active' ? 'disable' : 'enable'} />
              </ActionForm>
              <ActionForm
                action={deleteUser}
                submitLabel="Delete user"
                color="red"
                variant="outline"
                confirm={{
                  title: `Delete ${user.username}?`,
                  message:
                    'The account, its roles, consents, grants and sessions are deleted. This cannot be undone.',
                  confirmLabel: 'Delete',
                }}
              >
                <Hidden name="id" value={user.id} />
              </ActionForm>
            </Group>
          </Paper>
        ) : null}
      </SimpleGrid>
    </>
  );
}
