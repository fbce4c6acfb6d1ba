'use client';

import { Alert, Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { startRun } from '../../app/actions/workflows.ts';
import { parseStartRun } from '../../lib/workflows/start-run.ts';

/** The form's state: checked here, then started by the server action; a started run opens its page. */
function useStartRun(props: { definition: string; version: number }) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [input, setInput] = useState('{}');
  const [key, setKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const open = () => {
    setKey(crypto.randomUUID());
    setErrors({});
    setError(null);
    setOpened(true);
  };

  const submit = () => {
    const fields = {
      definition: props.definition,
      input,
      version: String(props.version),
      idempotencyKey: key,
    };
    const checked = parseStartRun(fields);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    startTransition(async () => {
      const result = await startRun(fields);
      if (!result.ok) {
        setError(result.error);
        setErrors(result.fieldErrors ?? {});
        return;
      }
      setOpened(false);
      router.push(`/workflows/runs/${encodeURIComponent(result.value.id)}`);
    });
  };

  const close = () => setOpened(false);
  return { opened, open, close, input, setInput, key, setKey, errors, error, pending, submit };
}

/**
 * "Start run" for one definition: JSON input (checked here and again on the server) and an optional
 * Idempotency-Key, prefilled with a fresh one so a double submit starts one run, not two.
 */
export function StartRunButton(props: { definition: string; version: number }) {
  const { opened, open, close, input, setInput, key, setKey, errors, error, pending, submit } =
    useStartRun(props);

  return (
    <>
      <Button size="xs" variant="light" onClick={open} aria-label={`Start a run of ${props.definition}`}>
        Start a run
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={`Start ${props.definition} (version ${props.version})`}
        centered
        size="lg"
      >
        <Stack>
          <Textarea
            label="Input (JSON)"
            description="The run's input, available to step templates as {{ input… }}."
            autosize
            minRows={4}
            value={input}
            onChange={(event) => setInput(event.currentTarget.value)}
            error={errors.input}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <TextInput
            label="Idempotency key"
            description="Starting again with the same key returns the same run."
            value={key}
            onChange={(event) => setKey(event.currentTarget.value)}
            error={errors.idempotencyKey}
          />
          {error ? (
            <Alert color="red" role="alert">
              {error}
              {errors['/'] ? ` ${errors['/']}` : ''}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={pending}>
              Back
            </Button>
            <Button onClick={submit} loading={pending}>
              Start
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
