import { Card, Stack } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { PasswordField } from '../../components/fields.tsx';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { changePassword } from '../actions/account.ts';

export const metadata: Metadata = { title: 'Password' };

// The current password proves it is the user (a wrong one counts toward the account lockout); the new one
// must satisfy oauth-service's password policy, whose refusal shows on the field. The other sessions end.
export default async function PasswordPage() {
  await requireSession();
  const { label, description } = section('/password');
  return (
    <Stack maw={560}>
      <PageHeader title={label} description={description} />
      <Card withBorder>
        <ActionForm action={changePassword} submitLabel="Change password" resetOnSuccess>
          <PasswordField name="currentPassword" label="Current password" autoComplete="current-password" />
          <PasswordField name="newPassword" label="New password" autoComplete="new-password" />
          <PasswordField name="confirmPassword" label="New password again" autoComplete="new-password" />
        </ActionForm>
      </Card>
    </Stack>
  );
}
