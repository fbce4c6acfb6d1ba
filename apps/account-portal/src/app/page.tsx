import {
  Badge,
  Card,
  Group,
  Stack,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableTr,
  Title,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import { SignedOutHome } from '@platform/ui/status-pages';
import { ActionForm } from '../components/action-form.tsx';
import { TextField } from '../components/fields.tsx';
import { accountApi } from '../lib/api/client.ts';
import { section } from '../lib/page-section.ts';
import { currentSession } from '../lib/session/current.ts';
import { updateProfile } from './actions/account.ts';

function SignedOut({ error }: { error: string | undefined }) {
  return (
    <SignedOutHome title="Your account" error={error} signInHref="/account/auth/login">
      Sign in to see and change your profile, password and sessions, and the applications you allowed.
    </SignedOutHome>
  );
}

// The profile (the console's home page): who the user is, and their display name to edit. Signed out (where
// sign-out lands), a sign-in button. Email changes need re-verification and are not offered here.
export default async function ProfilePage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const session = await currentSession();
  if (!session) return <SignedOut error={(await searchParams).error} />;
  const profile = await accountApi(session).profile();
  const { label, description } = section('/');
  return (
    <Stack maw={720}>
      <PageHeader title={label} description={description} />
      <Card withBorder>
        <Table variant="vertical" layout="fixed" aria-label="Your account">
          <TableTbody>
            <TableTr>
              <TableTh w={160}>Username</TableTh>
              <TableTd data-testid="profile-username">{profile.username}</TableTd>
            </TableTr>
            <TableTr>
              <TableTh>Email</TableTh>
              <TableTd>
                <Group gap="xs">
                  <span data-testid="profile-email">{profile.email ?? '—'}</span>
                  {profile.email ? (
                    <Badge color={profile.emailVerified ? 'green' : 'yellow'} variant="light">
                      {profile.emailVerified ? 'verified' : 'not verified'}
                    </Badge>
                  ) : null}
                </Group>
              </TableTd>
            </TableTr>
            <TableTr>
              <TableTh>Member since</TableTh>
              <TableTd>{when(profile.createdAt)}</TableTd>
            </TableTr>
          </TableTbody>
        </Table>
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          Display name
        </Title>
        <ActionForm action={updateProfile} submitLabel="Save">
          <TextField
            name="name"
            label="Display name"
            defaultValue={profile.name ?? ''}
            required
            maxLength={200}
            autoComplete="name"
          />
        </ActionForm>
      </Card>
    </Stack>
  );
}
