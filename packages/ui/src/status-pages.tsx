import { Alert, Button, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

// The bodies of a console's error pages: the same words and landmarks in every console.

/**
 * An unexpected failure (a service unreachable, an answer a page did not expect): a readable message, never
 * a stack trace; `digest` lets an operator find the server log line. For a console's `error.tsx`.
 */
export function ErrorNotice(props: { digest?: string | undefined; reset: () => void; children: ReactNode }) {
  return (
    <Stack maw={640}>
      <Title order={2}>Something went wrong</Title>
      <Alert color="red" role="alert" title="The page could not be loaded">
        {props.children}
        {props.digest ? ` (reference ${props.digest})` : ''}.
      </Alert>
      <Button onClick={props.reset} w="fit-content">
        Try again
      </Button>
    </Stack>
  );
}

/** No session, or an ended one: a link to sign in again. For a console's `unauthorized.tsx`. */
export function SignInRequired(props: { signInHref: string }) {
  return (
    <Stack maw={640}>
      <Title order={2}>Sign-in required</Title>
      <Alert color="yellow" title="Your session has ended" role="alert">
        You are not signed in, or your session was ended or revoked. Sign in again to continue.
      </Alert>
      {/* A full page load: sign-in leaves the console for oauth-service. */}
      <Button component="a" href={props.signInHref} w="fit-content">
        Sign in
      </Button>
    </Stack>
  );
}
