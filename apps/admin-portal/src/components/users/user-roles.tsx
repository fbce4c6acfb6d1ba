import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { assignRole, unassignRole } from '../../app/actions/users.ts';
import type { Named, User } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, RowAction, SelectField } from '../form.tsx';

/** The user's roles, each removable, and the roles that can still be assigned. */
export function UserRoles(props: { user: User; userRoles: Named[]; allRoles: Named[]; write: boolean }) {
  const { user, write } = props;
  const { userRoles } = props;
  const assigned = new Set(props.userRoles.map((r) => r.id));
  const assignable = props.allRoles.filter((r) => !assigned.has(r.id));
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Roles
      </Title>
      <Stack gap="xs" mb="sm" data-testid="user-roles">
        {userRoles.length === 0 ? <Text size="sm">No roles: this user can be granted no scope.</Text> : null}
        {userRoles.map((role) => (
          <Group key={role.id} justify="space-between">
            <Text size="sm">
              <b>{role.name}</b> {role.description ? `— ${role.description}` : ''}
            </Text>
            {write ? (
              <RowAction
                action={unassignRole}
                label="Remove"
                confirm={{
                  title: `Remove role ${role.name}?`,
                  message: `${user.username} loses the permissions of ${role.name} at their next admin request.`,
                  confirmLabel: 'Remove role',
                }}
              >
                <Hidden name="id" value={user.id} />
                <Hidden name="roleId" value={role.id} />
              </RowAction>
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
            placeholder="Choose a role…"
            options={assignable.map((role) => ({ value: role.id, label: role.name }))}
          />
        </ActionForm>
      ) : null}
    </Paper>
  );
}
