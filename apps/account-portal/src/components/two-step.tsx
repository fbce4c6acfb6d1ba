'use client';

import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Image,
  List,
  ListItem,
  Modal,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useRouter } from 'next/navigation';
import { type FormEvent, startTransition, useActionState, useState } from 'react';
import {
  beginTotp,
  confirmTotp,
  regenerateRecoveryCodes,
  type TwoStepState,
} from '../app/actions/two-step.ts';
import { FormFailure } from './form-failure.tsx';

// The parts of the two-step verification page that hold what is shown once: the enrolment's key and QR
// code, and recovery codes. They live in these components' state only (never in the page the server
// renders), so leaving or reloading the page forgets them.

const dispatchOnSubmit = (dispatch: (form: FormData) => void) => (event: FormEvent<HTMLFormElement>) => {
  // In a transition, not as the form's action: a refused code stays in the field.
  event.preventDefault();
  const data = new FormData(event.currentTarget);
  startTransition(() => dispatch(data));
};

function Failure({ state, label }: { state: TwoStepState; label: string }) {
  return <FormFailure title={`${label} failed`} error={state.error} reauthenticate={state.reauthenticate} />;
}

/** Ten recovery codes, shown once: to copy, or to download as a text file. */
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  const text = `${codes.join('\n')}\n`;
  return (
    <Stack gap="sm" data-testid="recovery-codes">
      <Alert color="yellow" title="Save your recovery codes now">
        Each code signs you in once if you lose your device. They are shown only this once.
      </Alert>
      <List listStyleType="none" spacing={4} aria-label="Recovery codes">
        {codes.map((code) => (
          <ListItem key={code}>
            <Code fz="md">{code}</Code>
          </ListItem>
        ))}
      </List>
      <Group>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy codes'}
            </Button>
          )}
        </CopyButton>
        <Button
          component="a"
          variant="default"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="recovery-codes.txt"
        >
          Download as text
        </Button>
      </Group>
    </Stack>
  );
}

function Enrolled({ codes }: { codes: string[] }) {
  const router = useRouter();
  return (
    <Stack>
      <Alert color="green" role="status">
        Your authenticator app is set up: sign-ins that need a second step ask for its code.
      </Alert>
      <RecoveryCodeList codes={codes} />
      <Group>
        <Button onClick={() => router.refresh()}>I saved my codes</Button>
      </Group>
    </Stack>
  );
}

function ScanStep({
  state,
  dispatch,
  pending,
}: {
  state: TwoStepState;
  dispatch: (form: FormData) => void;
  pending: boolean;
}) {
  const enrolment = state.enrolment!;
  const key = enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return (
    <Stack data-testid="totp-enrolment">
      <Text>
        Scan this QR code with your authenticator app, or type the key into it. Then enter the 6-digit code
        the app shows.
      </Text>
      <Image
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
        alt="QR code holding your authenticator app's key"
        w={200}
        h={200}
        bg="white"
      />
      <Text size="sm">
        Key: <Code data-testid="totp-secret">{key}</Code>
      </Text>
      <form onSubmit={dispatchOnSubmit(dispatch)}>
        <Stack gap="sm" maw={320}>
          <Failure state={state} label="Confirm" />
          <TextInput
            name="code"
            label="Code from your app"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            maxLength={64}
            error={state.fieldErrors?.code}
          />
          <Group>
            <Button type="submit" loading={pending}>
              Confirm
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

/** Enrolment: begin (key and QR code), confirm with a first code, then the recovery codes once. */
export function TotpEnrolment() {
  const [begun, begin, beginning] = useActionState<TwoStepState, FormData>(beginTotp, {});
  const [confirmed, confirm, confirming] = useActionState<TwoStepState, FormData>(confirmTotp, {});
  if (confirmed.codes) return <Enrolled codes={confirmed.codes} />;
  // A refused code leaves the key and QR code on screen, with the refusal, for the next try.
  if (begun.enrolment)
    return (
      <ScanStep
        state={{ ...confirmed, enrolment: begun.enrolment }}
        dispatch={confirm}
        pending={confirming}
      />
    );
  return (
    <form onSubmit={dispatchOnSubmit(begin)}>
      <Stack gap="sm">
        <Failure state={begun} label="Set up" />
        <Group>
          <Button type="submit" loading={beginning}>
            Set up an authenticator app
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** New recovery codes after a confirmation; the earlier ones stop working. */
export function RegenerateRecoveryCodes() {
  const [state, regenerate, pending] = useActionState<TwoStepState, FormData>(regenerateRecoveryCodes, {});
  const [asking, setAsking] = useState(false);
  return (
    <Stack>
      <Failure state={state} label="New codes" />
      {state.codes ? <RecoveryCodeList codes={state.codes} /> : null}
      <Group>
        <Button variant="default" loading={pending} onClick={() => setAsking(true)}>
          Make new recovery codes
        </Button>
      </Group>
      <Modal opened={asking} onClose={() => setAsking(false)} title="Make new recovery codes?" centered>
        <Text mb="md">Your current recovery codes stop working, used or not.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setAsking(false)}>
            Cancel
          </Button>
          <Button
            onClick={() => {
              setAsking(false);
              startTransition(() => regenerate(new FormData()));
            }}
          >
            Make new codes
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
