'use client';

import { Alert, Button, Group, List, ListItem, Stack, Text } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import {
  type SourceCheck,
  saveDefinitionSource,
  validateDefinitionSource,
} from '../../app/actions/definitions.ts';
import type { DefinitionFault } from '../../lib/flow-api/definitions.ts';
import { describeFault } from '../../lib/workflows/definition-source.ts';
import { DefinitionYamlEditor } from './definition-yaml-editor.tsx';

type Outcome = { kind: 'valid' } | { kind: 'refused'; error: string } | null;

/** The editor's state: the text, the faults of the last check, and what the last check said. */
function useDefinitionEditor(initial: string) {
  const router = useRouter();
  const [source, setSource] = useState(initial);
  const [faults, setFaults] = useState<DefinitionFault[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();

  const report = (result: SourceCheck) => {
    setFaults(result.ok ? [] : result.faults);
    setOutcome(result.ok ? { kind: 'valid' } : { kind: 'refused', error: result.error });
  };
  const validate = () => startTransition(async () => report(await validateDefinitionSource(source)));
  const save = () =>
    startTransition(async () => {
      const result = await saveDefinitionSource(source);
      report(result);
      if (result.ok && result.saved)
        router.push(
          `/workflows/definitions/${encodeURIComponent(result.saved.id)}?version=${result.saved.version}`,
        );
    });
  return { setSource, faults, outcome, pending, validate, save };
}

function Faults(props: { outcome: Outcome; faults: DefinitionFault[] }) {
  const { outcome, faults } = props;
  if (outcome?.kind === 'valid')
    return (
      <Alert color="green" role="status" data-testid="definition-valid">
        The definition is valid.
      </Alert>
    );
  if (outcome?.kind !== 'refused') return null;
  return (
    <Alert color="red" role="alert" title={outcome.error} data-testid="definition-faults">
      {faults.length ? (
        <List size="sm">
          {faults.map((fault) => (
            <ListItem key={`${fault.line}:${fault.column}:${fault.path}:${fault.message}`}>
              {describeFault(fault)}
            </ListItem>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}

/**
 * The YAML of a definition, checked by flow-service ("Validate") and stored as its next version ("Save as
 * new version"); a refusal of either marks the faulty lines in the editor and lists them under it.
 */
export function DefinitionEditor(props: { initial: string; canWrite: boolean }) {
  const { setSource, faults, outcome, pending, validate, save } = useDefinitionEditor(props.initial);
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        YAML (or JSON). The <code>id</code> names the definition: saving stores the next version of that id.
      </Text>
      <DefinitionYamlEditor
        initial={props.initial}
        faults={faults}
        label="Definition source (YAML)"
        onChange={setSource}
      />
      <Faults outcome={outcome} faults={faults} />
      <Group justify="flex-end">
        <Button variant="default" onClick={validate} loading={pending}>
          Validate
        </Button>
        {props.canWrite ? (
          <Button onClick={save} loading={pending}>
            Save as new version
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
