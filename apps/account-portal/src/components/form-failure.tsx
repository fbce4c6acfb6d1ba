'use client';

import { Alert, Anchor, Text } from '@mantine/core';
import { usePathname } from 'next/navigation';

// A refused form's alert. When the account API wants a recent sign-in, it links to a new sign-in
// (`reauth=1`: the provider asks for the password or passkey again, then MFA per policy) that comes back
// to this page, where the user repeats the change.

export function FormFailure(props: { title: string; error?: string; reauthenticate?: boolean }) {
  const pathname = usePathname();
  if (!props.error) return null;
  const signInAgain = `/account/auth/login?${new URLSearchParams({ reauth: '1', returnTo: pathname })}`;
  return (
    <Alert color="red" role="alert" title={props.title}>
      <Text size="sm">{props.error}</Text>
      {props.reauthenticate ? (
        <Anchor href={signInAgain} size="sm" fw={600} data-testid="reauthenticate">
          Sign in again
        </Anchor>
      ) : null}
    </Alert>
  );
}
