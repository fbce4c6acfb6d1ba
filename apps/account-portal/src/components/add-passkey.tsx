'use client';

import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  startRegistration,
} from '@simplewebauthn/browser';
import { startTransition, useActionState, useEffect, useRef, useState } from 'react';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../app/actions/passkeys.ts';
import type { FormState } from '../lib/forms/state.ts';
import { FormFailure } from './form-failure.tsx';

// "Add a passkey": the WebAuthn create ceremony in this browser. The options come from the account API
// through this console's server (the user's token never reaches the browser); the authenticator's answer
// goes back the same way, with the name the user gave it.

/** What the browser's refusal means to the user (the ceremony's DOMException names). */
function ceremonyError(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError') return 'No passkey was created: the request was cancelled or timed out.';
  if (name === 'InvalidStateError') return 'This authenticator already holds a passkey for your account.';
  return 'Your browser could not create a passkey. Try again, or another authenticator.';
}

export function AddPasskey() {
  const [state, dispatch, saving] = useActionState<FormState, FormData>(finishPasskeyRegistration, {});
  const [ceremony, setCeremony] = useState<{ busy: boolean; error?: string; reauthenticate?: boolean }>({
    busy: false,
  });
  const [supported, setSupported] = useState(true);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);
  useEffect(() => {
    if (state.ok) formRef.current?.reset();
  }, [state]);

  const onSubmit = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    setCeremony({ busy: true });
    const start = await startPasskeyRegistration();
    if (!start.options)
      return setCeremony({ busy: false, error: start.error, reauthenticate: start.reauthenticate });
    try {
      const optionsJSON = start.options as unknown as PublicKeyCredentialCreationOptionsJSON;
      const response = await startRegistration({ optionsJSON });
      const form = new FormData();
      form.set('name', name);
      form.set('response', JSON.stringify(response));
      setCeremony({ busy: false });
      startTransition(() => dispatch(form));
    } catch (error) {
      setCeremony({ busy: false, error: ceremonyError(error) });
    }
  };

  if (!supported)
    return <Text c="dimmed">This browser cannot create passkeys. Use another browser or device.</Text>;
  const error = ceremony.error ?? state.error;
  const reauthenticate = ceremony.error ? ceremony.reauthenticate : state.reauthenticate;
  return (
    <form ref={formRef} onSubmit={onSubmit} aria-label="Add a passkey">
      <Stack gap="sm">
        {error ? (
          <FormFailure title="Adding the passkey failed" error={error} reauthenticate={reauthenticate} />
        ) : state.ok && state.message ? (
          <Alert color="green" role="status">
            {state.message}
          </Alert>
        ) : null}
        <TextInput
          name="name"
          label="Name"
          description="So you can tell your passkeys apart, e.g. “Work laptop” or “Phone”."
          required
          maxLength={64}
          error={state.fieldErrors?.name}
        />
        <Group>
          <Button type="submit" loading={ceremony.busy || saving}>
            Add a passkey
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
