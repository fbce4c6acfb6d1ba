import { Alert, Stack, Text, Title } from '@mantine/core';
import { SignedOutHome } from '@platform/ui/status-pages';
import { OverviewDashboard } from '../components/overview/overview-dashboard.tsx';
import { can, visibleNavigation } from '../lib/access/permissions.ts';
import { currentSession } from '../lib/session/current.ts';
import { activityRange } from '../lib/system/activity.ts';

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
      <SignedOutHome title="Platform console" error={error} signInHref="/admin/auth/login">
        Administer identities, clients and keys, read the audit log and watch the platform&apos;s health.
      </SignedOutHome>
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
