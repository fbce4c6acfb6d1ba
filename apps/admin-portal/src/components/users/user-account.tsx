import { Group, Paper, Text, Title } from '@mantine/core';
import { deleteUser, mailAccountLink, resetPassword, setUserStatus } from '../../app/actions/users.ts';
import type { User, UserSignIns } from '../../lib/admin-api/types.ts';
import { ActionForm, CheckboxField, Hidden, PasswordField } from '../form.tsx';

/** What the account signs in with when it has no password of its own: pending invitation or upstream links. */
function noPasswordText(signIns: UserSignIns): string {
  if (signIns.linked.length === 0) return 'Invited: no password yet.';
  const names = signIns.linked.map((link) => link.display_name).join(', ');
  return `No password of its own: signs in through ${names}.`;
}

/** The address's state, and the mail that moves it on: an invitation to set a password, or a verification link. */
function AccountMail({ user, signIns }: { user: User; signIns: UserSignIns }) {
  const kind = user.invitation_pending ? 'invitation' : user.email_verified ? null : 'verification';
  const linkedOnly = user.invitation_pending && signIns.linked.length > 0;
  return (
    <Group mb="md" gap="sm" data-testid="account-mail">
      <Text size="sm">
        {user.invitation_pending
          ? noPasswordText(signIns)
          : user.email_verified
            ? 'Email address verified.'
            : 'Email address not verified.'}
      </Text>
      {kind ? (
        <ActionForm
          action={mailAccountLink}
          submitLabel={
            kind === 'verification'
              ? 'Send verification email'
              : linkedOnly
                ? 'Invite to set a password'
                : 'Resend invitation'
          }
          variant="light"
          size="xs"
        >
          <Hidden name="id" value={user.id} />
          <Hidden name="kind" value={kind} />
        </ActionForm>
      ) : null}
    </Group>
  );
}

/** Password reset, disabling or enabling the account, and deleting it (admin:write). */
export function UserAccount({ user, signIns }: { user: User; signIns: UserSignIns }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Password and account
      </Title>
      <AccountMail user={user} signIns={signIns} />
      <ActionForm action={resetPassword} schema="passwordReset" submitLabel="Reset password" resetOnSuccess>
        <Hidden name="id" value={user.id} />
        <PasswordField
          name="password"
          label="New password"
          description="12 to 128 characters. The user is signed out everywhere."
        />
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
