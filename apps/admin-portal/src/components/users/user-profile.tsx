import { Paper, Text, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { updateUser } from '../../app/actions/users.ts';
import type { User } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, TextField } from '../form.tsx';

/** The user's profile: dates, sign-in failures, and the edit form for admin:write. */
export function UserProfile({ user, write }: { user: User; write: boolean }) {
  return (
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
  );
}
