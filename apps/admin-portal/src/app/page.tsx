import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { OverviewDashboard } from '../components/overview/overview-dashboard.tsx';
import { can, visibleNavigation } from '../lib/access/permissions.ts';
import { currentSession } from '../lib/session/current.ts';
import { activityRange } from '../lib/system/activity.ts';

const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled.',
  sign_in_expired: 'The sign-in took too long or was started in another tab. Please try again.',
  sign_in_failed: 'Sign-in could not be completed. Please try again.',
};

// The overview: for a signed-out visitor (and where sign-out lands) a sign-in button; for a reader of the
// admin API the platform's activity and health; for anyone else a pointer to the menu.
export default async function Home({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; range?: string }>;
}) {
  const { error, range } = await searchParams;
  const session = await currentSession();
  if (!session) {
    return (
      <Stack maw={560} mx="auto" mt="xl">
        <Title order={2}>Platform console</Title>
        <Text>
          Administer identities, clients and keys, read the audit log and watch the platform&apos;s health.
        </Text>
        {error ? (
          <Alert color="red" role="alert">
            {SIGN_IN_ERRORS[error] ?? SIGN_IN_ERRORS.sign_in_failed}
          </Alert>
        ) : null}
        <Button component="a" href="/admin/auth/login" w="fit-content">
          Sign in
        </Button>
      </Stack>
    );
  }
  if (can(session.permissions, 'admin:read'))
    return <OverviewDashboard session={session} range={activityRange(range)} />;
  const sections = visibleNavigation(session.permissions);
  return (
    <Stack>
      <Title order={2}>Welcome, {session.user.name || session.user.username}</Title>
      {sections.length === 0 ? (
        <Alert color="yellow" title="Nothing to administer" data-testid="no-access">
          Your roles do not give you access to any part of the console. Ask an administrator for a role with
          the admin:read permission.
        </Alert>
      ) : (
        <Text>Open a section from the menu.</Text>
      )}
    </Stack>
  );
}
