import { Alert, Button, Stack, Title } from '@mantine/core';

export default function Unauthorized() {
  return (
    <Stack maw={640}>
      <Title order={2}>Sign-in required</Title>
      <Alert color="yellow" title="Your session has ended" role="alert">
        You are not signed in, or your session was ended or revoked. Sign in again to continue.
      </Alert>
      {/* A full page load: sign-in leaves the console for oauth-service. */}
      <Button component="a" href="/account/auth/login" w="fit-content">
        Sign in
      </Button>
    </Stack>
  );
}
