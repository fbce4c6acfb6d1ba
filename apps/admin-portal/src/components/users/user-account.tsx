import { Group, Paper, Title } from '@mantine/core';
import { deleteUser, resetPassword, setUserStatus } from '../../app/actions/users.ts';
import type { User } from '../../lib/admin-api/types.ts';
import { ActionForm, CheckboxField, Hidden, PasswordField } from '../form.tsx';

/** Password reset, disabling or enabling the account, and deleting it (admin:write). */
export function UserAccount({ user }: { user: User }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Password and account
      </Title>
      <ActionForm action={resetPassword} schema="passwordReset" submitLabel="Reset password" resetOnSuccess>
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
                  message: 'They can no longer sign in, and the admin API refuses their tokens at once.',
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
  );
}
