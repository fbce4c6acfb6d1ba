'use client';

import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { DEFINITION_ID } from '../../lib/workflows/definition-source.ts';

/**
 * "New definition": asks for the id, then opens the editor at that id, which starts from a template when no
 * definition has it yet (any id stays usable: no path segment is reserved for "new").
 */
export function NewDefinitionButton() {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [id, setId] = useState('');
  const [error, setError] = useState<string | undefined>();
  const open = () => {
    setId('');
    setError(undefined);
    setOpened(true);
  };
  const submit = () => {
    const value = id.trim();
    if (!DEFINITION_ID.test(value))
      return setError('Lowercase letters, digits, - and _, starting with a letter or digit; at most 63.');
    router.push(`/workflows/definitions/${encodeURIComponent(value)}/edit`);
  };
  return (
    <>
      <Button variant="light" onClick={open}>
        New definition
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="New definition" centered>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Stack>
            <TextInput
              label="Definition id"
              description="Names the definition in runs, schedules and the API, e.g. nightly-report."
              value={id}
              onChange={(event) => setId(event.currentTarget.value)}
              error={error}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Back
              </Button>
              <Button type="submit">Open the editor</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
