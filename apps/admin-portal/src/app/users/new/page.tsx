import { Paper } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm, CheckboxField, PasswordField, TextField } from '../../../components/form.tsx';
import { requirePermission } from '../../../lib/session/current.ts';
import { createUser } from '../../actions/users.ts';

export const metadata: Metadata = { title: 'New user' };

export default async function NewUserPage() {
  await requirePermission('admin:write');
  return (
    <>
      <PageHeader title="New user" description="Roles are assigned on the user's page once it exists." />
      <Paper withBorder p="md" maw={560}>
        <ActionForm action={createUser} schema="userCreate" submitLabel="Create user">
          <TextField name="username" label="Username" required autoComplete="off" />
          <TextField name="email" label="Email" type="email" required autoComplete="off" />
          <TextField name="display_name" label="Display name" />
          <CheckboxField
            name="invite"
            label="Send an invitation instead of setting a password"
            description="The user gets an email with a link (valid 72 hours) to choose their own password. Needs mail (SMTP_URL)."
          />
          <PasswordField
            name="password"
            label="Initial password"
            description="12 to 128 characters; common passwords are refused. Not needed for an invitation."
          />
          <CheckboxField
            name="must_change_password"
            label="Ask for a new password at first sign-in"
            defaultChecked
          />
        </ActionForm>
      </Paper>
    </>
  );
}
