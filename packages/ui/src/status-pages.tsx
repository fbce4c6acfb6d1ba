import { Alert, Button, Stack, Text, Title } from '@mantine/core';
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

/** The reasons a console's sign-in callback sends home (`?error=`, @platform/web-session/sign-in). */
const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled.',
  sign_in_expired: 'The sign-in took too long or was started in another tab. Please try again.',
  sign_in_failed: 'Sign-in could not be completed. Please try again.',
};

/**
 * A console's home page signed out (where sign-out lands): its name, what it is for, the reason a sign-in
 * failed (`error`), and the sign-in button.
 */
export function SignedOutHome(props: {
  title: string;
  error: string | undefined;
  signInHref: string;
  children: ReactNode;
}) {
  return (
    <Stack maw={560} mx="auto" mt="xl">
      <Title order={2}>{props.title}</Title>
      <Text>{props.children}</Text>
      {props.error ? (
        <Alert color="red" role="alert">
          {SIGN_IN_ERRORS[props.error] ?? SIGN_IN_ERRORS.sign_in_failed}
        </Alert>
      ) : null}
      <Button component="a" href={props.signInHref} w="fit-content">
        Sign in
      </Button>
    </Stack>
  );
}
