'use client';

import { Alert, Group, Text } from '@mantine/core';
import type { FormState } from '../lib/forms/state.ts';
import { ButtonLink } from './links.tsx';
import { SecretOnce } from './secret-once.tsx';

/** What a server action answered: its error, its message, a one-time client secret. */
export function ActionOutcome({ state }: { state: FormState }) {
  return (
    <>
      {state.error ? (
        <Alert color="red" title="The change was not made" role="alert" mt="xs">
          {state.error}
        </Alert>
      ) : null}
      {state.ok && state.message ? (
        <Alert color="green" role="status" mt="xs">
          {state.message}
        </Alert>
      ) : null}
      {state.secret ? <SecretOnce {...state.secret} /> : null}
    </>
  );
}

/**
 * What a creation made, in place of the form that made it: the form cannot be sent twice, a one-time secret
 * is at the top of the page, and the new thing is one link away.
 */
export function CreatedOutcome({
  state,
  created,
}: {
  state: FormState;
  created: NonNullable<FormState['created']>;
}) {
  return (
    <>
      <Alert color="green" role="status">
        <Group justify="space-between">
          <Text size="sm">{state.message}</Text>
          <ButtonLink href={created.href} variant="light" size="xs">
            Open {created.name}
          </ButtonLink>
        </Group>
      </Alert>
      {state.secret ? <SecretOnce {...state.secret} doneHref={created.href} /> : null}
    </>
  );
}
