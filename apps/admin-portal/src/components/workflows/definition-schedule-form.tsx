'use client';

import { Alert, Button, Group, Modal, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { createSchedule, updateSchedule } from '../../app/actions/definitions.ts';
import type { Schedule } from '../../lib/flow-api/definitions.ts';
import { parseScheduleForm, type ScheduleFields } from '../../lib/workflows/schedule-form.ts';

const fieldsOf = (schedule: Schedule | null): ScheduleFields => ({
  cron: schedule?.cron ?? '',
  timezone: schedule?.timezone ?? 'UTC',
  input: schedule ? JSON.stringify(schedule.input ?? {}, null, 2) : '{}',
  enabled: schedule?.enabled ?? true,
});

type FormProps = { definition: string; schedule: Schedule | null; onClose(): void };

/** The form's state: checked here, then saved by the server action; a saved schedule refreshes the page. */
function useScheduleForm(props: FormProps) {
  const router = useRouter();
  const [fields, setFields] = useState(() => fieldsOf(props.schedule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const set = (patch: Partial<ScheduleFields>) => setFields((current) => ({ ...current, ...patch }));

  const submit = () => {
    const checked = parseScheduleForm(fields);
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    startTransition(async () => {
      const result = props.schedule
        ? await updateSchedule(props.schedule.id, fields)
        : await createSchedule(props.definition, fields);
      if (!result.ok) {
        // A refusal naming a field shows there only; anything else above the buttons.
        const fieldErrors = result.fieldErrors ?? {};
        setErrors(fieldErrors);
        setError(Object.keys(fieldErrors).some((field) => field !== 'form') ? null : result.error);
        return;
      }
      setError(null);
      props.onClose();
      router.refresh();
    });
  };

  return { fields, set, errors, error, pending, submit };
}

/**
 * Creates a schedule of `definition`, or edits `schedule`: cron, time zone, input and whether it fires.
 * Checked here, then by flow-service, whose refusal of a cron or time zone shows at that field.
 */
export function ScheduleFormModal(props: {
  opened: boolean;
  definition: string;
  schedule: Schedule | null;
  onClose(): void;
}) {
  const { fields, set, errors, error, pending, submit } = useScheduleForm(props);
  const title = props.schedule
    ? `Edit schedule of ${props.definition}`
    : `New schedule of ${props.definition}`;
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={title} centered size="lg">
      <Stack>
        <TextInput
          label="Cron"
          description="minute hour day month weekday, e.g. 0 9 * * 1-5"
          value={fields.cron}
          onChange={(event) => set({ cron: event.currentTarget.value })}
          error={errors.cron}
          data-autofocus
        />
        <TextInput
          label="Time zone"
          description="IANA name, e.g. Europe/Paris"
          value={fields.timezone}
          onChange={(event) => set({ timezone: event.currentTarget.value })}
          error={errors.timezone}
        />
        <Textarea
          label="Input (JSON object)"
          description="Each run gets it, plus scheduledAt."
          autosize
          minRows={3}
          value={fields.input}
          onChange={(event) => set({ input: event.currentTarget.value })}
          error={errors.input}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
        <Switch
          label="Enabled"
          checked={fields.enabled}
          onChange={(event) => set({ enabled: event.currentTarget.checked })}
        />
        {error ? (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose} disabled={pending}>
            Back
          </Button>
          <Button onClick={submit} loading={pending}>
            {props.schedule ? 'Save schedule' : 'Add schedule'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
