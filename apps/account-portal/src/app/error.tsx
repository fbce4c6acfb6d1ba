'use client';

import { Alert, Button, Stack, Title } from '@mantine/core';

// Unexpected failures (oauth-service unreachable, an answer a page did not expect): a readable message, never
// a stack trace; `digest` lets an operator find the server log line.
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
        The account service did not answer as expected. Try again in a moment
        {error.digest ? ` (reference ${error.digest})` : ''}.
      </Alert>
      <Button onClick={reset} w="fit-content">
        Try again
      </Button>
    </Stack>
  );
}
