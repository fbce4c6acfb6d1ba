'use client';

import {
  Badge,
  Button,
  Code,
  Group,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { deleteSchedule } from '../../app/actions/definitions.ts';
import type { Schedule } from '../../lib/flow-api/definitions.ts';
import { AnchorLink } from '../links.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ScheduleFormModal } from './definition-schedule-form.tsx';

type Editing = { schedule: Schedule | null; definition: string } | null;

function useDeleteSchedule() {
  const router = useRouter();
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const confirm = () =>
    startTransition(async () => {
      if (!deleting) return;
      const result = await deleteSchedule(deleting.id);
      if (!result.ok) return setError(result.error);
      setDeleting(null);
      router.refresh();
    });
  const ask = (schedule: Schedule | null) => {
    setError(null);
    setDeleting(schedule);
  };
  return { deleting, ask, error, pending, confirm };
}

function ScheduleRow(props: {
  schedule: Schedule;
  showDefinition: boolean;
  canWrite: boolean;
  onEdit(): void;
  onDelete(): void;
}) {
  const { schedule } = props;
  const label = `${schedule.cron} (${schedule.timezone})`;
  return (
    <TableTr data-testid={`schedule-${schedule.id}`}>
      {props.showDefinition ? (
        <TableTd>
          <AnchorLink href={`/workflows/definitions/${encodeURIComponent(schedule.definition)}`}>
            {schedule.definition}
          </AnchorLink>
        </TableTd>
      ) : null}
      <TableTd>
        <Code>{schedule.cron}</Code>
      </TableTd>
      <TableTd>{schedule.timezone}</TableTd>
      <TableTd>
        <Badge color={schedule.enabled ? 'green.9' : 'gray.7'} variant="filled">
          {schedule.enabled ? 'Enabled' : 'Paused'}
        </Badge>
      </TableTd>
      <TableTd>{schedule.enabled ? when(schedule.next_fire_at) : '—'}</TableTd>
      <TableTd>{when(schedule.last_fire_at)}</TableTd>
      <TableTd>
        <Code>{JSON.stringify(schedule.input ?? {})}</Code>
      </TableTd>
      <TableTd>
        {props.canWrite ? (
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" variant="light" onClick={props.onEdit} aria-label={`Edit schedule ${label}`}>
              Edit
            </Button>
            <Button
              size="xs"
              variant="light"
              color="red"
              onClick={props.onDelete}
              aria-label={`Delete schedule ${label}`}
            >
              Delete
            </Button>
          </Group>
        ) : null}
      </TableTd>
    </TableTr>
  );
}

/**
 * Schedules as a table, with their edit and delete (after a confirmation); with `definition`, also "Add
 * schedule" for it. Without, each row names its definition.
 */
export function DefinitionSchedules(props: {
  schedules: Schedule[];
  definition?: string;
  canWrite: boolean;
}) {
  const [editing, setEditing] = useState<Editing>(null);
  const removal = useDeleteSchedule();
  const showDefinition = props.definition === undefined;
  return (
    <>
      {props.schedules.length === 0 ? (
        <Text size="sm">No schedules.</Text>
      ) : (
        <TableScrollContainer minWidth={760}>
          <Table striped data-testid="schedules">
            <TableThead>
              <TableTr>
                {showDefinition ? <TableTh>Definition</TableTh> : null}
                <TableTh>Cron</TableTh>
                <TableTh>Time zone</TableTh>
                <TableTh>State</TableTh>
                <TableTh>Next fire</TableTh>
                <TableTh>Last fire</TableTh>
                <TableTh>Input</TableTh>
                <TableTh>Actions</TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {props.schedules.map((schedule) => (
                <ScheduleRow
                  key={schedule.id}
                  schedule={schedule}
                  showDefinition={showDefinition}
                  canWrite={props.canWrite}
                  onEdit={() => setEditing({ schedule, definition: schedule.definition })}
                  onDelete={() => removal.ask(schedule)}
                />
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
      {props.canWrite && props.definition ? (
        <Button
          mt="sm"
          size="xs"
          variant="light"
          onClick={() => setEditing({ schedule: null, definition: props.definition as string })}
        >
          Add schedule
        </Button>
      ) : null}
      {editing ? (
        <ScheduleFormModal
          opened
          key={editing.schedule?.id ?? 'new'}
          definition={editing.definition}
          schedule={editing.schedule}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <ConfirmDialog
        opened={removal.deleting !== null}
        title="Delete schedule"
        message={
          removal.deleting
            ? `Delete the schedule ${removal.deleting.cron} (${removal.deleting.timezone}) of ${removal.deleting.definition}? Runs it started stay.`
            : ''
        }
        confirmLabel="Delete schedule"
        color="red"
        pending={removal.pending}
        error={removal.error}
        onConfirm={removal.confirm}
        onClose={() => removal.ask(null)}
      />
    </>
  );
}
