import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { AnchorLink } from '../components/links.tsx';
import { visibleNavigation } from '../lib/access/permissions.ts';
import { currentSession } from '../lib/session/current.ts';

const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled.',
  sign_in_expired: 'The sign-in took too long or was started in another tab. Please try again.',
  sign_in_failed: 'Sign-in could not be completed. Please try again.',
};

// The overview: for a signed-out visitor (and where sign-out lands) a sign-in button; for a signed-in user
// the sections they may open.
export default async function Home({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
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
  const sections = visibleNavigation(session.permissions);
  return (
    <Stack>
      <Title order={2}>Welcome, {session.user.name || session.user.username}</Title>
      <Group gap="xs">
        <Text size="sm">Your permissions:</Text>
        {[...session.permissions].sort().map((permission) => (
          <Badge key={permission} variant="light">
            {permission}
          </Badge>
        ))}
        {session.permissions.size === 0 ? <Text size="sm">none</Text> : null}
      </Group>
      {sections.length === 0 ? (
        <Alert color="yellow" title="Nothing to administer" data-testid="no-access">
          Your roles do not give you access to any part of the console. Ask an administrator for a role with
          the admin:read permission.
        </Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {sections.map((section) => (
            <Card key={section.label} withBorder>
              <Text fw={700} mb="xs">
                {section.label}
              </Text>
              <Stack gap={4}>
                {section.items.map((item) => (
                  <AnchorLink key={item.href} href={item.href}>
                    {item.label}
                  </AnchorLink>
                ))}
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
