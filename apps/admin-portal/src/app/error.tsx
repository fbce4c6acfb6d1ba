'use client';

import { Alert, Button, Stack, Title } from '@mantine/core';

// Unexpected failures (oauth-service unreachable, an API error a page did not expect): a readable message,
// never a stack trace; `digest` lets an operator find the server log line.
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <Stack maw={640}>
      <Title order={2}>Something went wrong</Title>
      <Alert color="red" role="alert" title="The page could not be loaded">
        A service the console depends on did not answer as expected. Try again; if it persists, check the
        System page and the service logs{error.digest ? ` (reference ${error.digest})` : ''}.
      </Alert>
      <Button onClick={reset} w="fit-content">
        Try again
      </Button>
    </Stack>
  );
}
