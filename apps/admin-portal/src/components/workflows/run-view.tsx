'use client';

import { Alert, Button, Code, Grid, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, useTransition } from 'react';
import {
  cancelRun,
  decideStep,
  fetchRun,
  fetchStep,
  rerunRun,
  retryRun,
} from '../../app/actions/workflows.ts';
import { FINISHED, type RunDetail, type StepDetail } from '../../lib/flow-api/types.ts';
import { applyEvent, type LiveRun, parseEvent } from '../../lib/workflows/apply-event.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { DagView } from './dag-view.tsx';
import { StateBadge } from './state-badge.tsx';
import { StepPanel } from './step-panel.tsx';

// A run, live: the DAG and the step table follow the run's event stream (relayed by the portal's route
// handler, so no token reaches the browser); every burst of events is followed by a reload of the run from
// flow-service, which brings what events do not carry (outputs, errors). The actions the user may take are
// shown (the server action and flow-service check again).

type Dialog = { kind: 'cancel' } | { kind: 'decide'; decision: 'approve' | 'reject'; stepId: string } | null;

const RELOAD_DELAY_MS = 250;

export function RunView(props: {
  initial: RunDetail;
  streamUrl: string;
  canRun: boolean;
  canApprove: boolean;
}) {
  const router = useRouter();
  const runId = props.initial.id;
  const [live, setLive] = useState<LiveRun>({ run: props.initial, lastSeq: 0 });
  const [connection, setConnection] = useState<'connecting' | 'live' | 'stopped'>('connecting');
  const [selected, setSelected] = useState<string | null>(null);
  const [step, setStep] = useState<StepDetail | null>(null);
  const [stepError, setStepError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadStep = useCallback(
    async (stepId: string) => {
      const result = await fetchStep(runId, stepId);
      if (selectedRef.current !== stepId) return;
      if (result.ok) {
        setStep(result.value);
        setStepError(null);
      } else setStepError(result.error);
    },
    [runId],
  );

  const reload = useCallback(async () => {
    const result = await fetchRun(runId);
    if (result.ok) setLive((current) => ({ run: result.value, lastSeq: current.lastSeq }));
    if (selectedRef.current) await loadStep(selectedRef.current);
  }, [runId, loadStep]);

  const scheduleReload = useCallback(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void reload(), RELOAD_DELAY_MS);
  }, [reload]);

  useEffect(() => {
    const source = new EventSource(props.streamUrl);
    source.onopen = () => setConnection('live');
    source.onmessage = (message) => {
      const event = parseEvent(message.data as string);
      if (!event) return;
      setLive((current) => applyEvent(current, event));
      scheduleReload();
    };
    // The browser reconnects by itself (with Last-Event-ID) unless the portal refused (signed out, 403).
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'stopped' : 'connecting');
    return () => {
      source.close();
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [props.streamUrl, scheduleReload]);

  const select = (stepId: string) => {
    setSelected(stepId);
    setStep(null);
    setStepError(null);
    void loadStep(stepId);
  };

  const { run } = live;
  const active = !FINISHED.has(run.state);
  const retryable = run.state === 'failed' || run.state === 'timed_out' || run.state === 'cancelled';

  const act = (perform: () => Promise<{ ok: true } | { ok: false; error: string }>, done: string) =>
    startTransition(async () => {
      const result = await perform();
      if (!result.ok) {
        setDialogError(result.error);
        setMessage({ color: 'red', text: result.error });
        return;
      }
      setDialog(null);
      setDialogError(null);
      setMessage({ color: 'green', text: done });
      await reload();
    });

  const rerun = () =>
    startTransition(async () => {
      const result = await rerunRun(runId);
      if (!result.ok) {
        setMessage({ color: 'red', text: result.error });
        return;
      }
      router.push(`/workflows/runs/${encodeURIComponent(result.value.id)}`);
    });

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <StateBadge state={run.state} testId="run-state" />
          <Text size="sm" c="dimmed" data-testid="live-status">
            {connection === 'live'
              ? 'Live'
              : connection === 'connecting'
                ? 'Connecting…'
                : 'Live updates stopped — reload the page'}
          </Text>
        </Group>
        {props.canRun ? (
          <Group gap="xs">
            {active ? (
              <Button color="red" variant="light" onClick={() => setDialog({ kind: 'cancel' })}>
                Cancel run
              </Button>
            ) : null}
            {retryable ? (
              <Button
                variant="light"
                loading={pending}
                onClick={() => act(() => retryRun(runId), 'Retrying from the failed step.')}
              >
                Retry from failed step
              </Button>
            ) : null}
            {!active ? (
              <Button variant="default" loading={pending} onClick={rerun}>
                Rerun
              </Button>
            ) : null}
          </Group>
        ) : null}
      </Group>
      {message ? (
        <Alert
          color={message.color}
          role={message.color === 'red' ? 'alert' : 'status'}
          withCloseButton
          onClose={() => setMessage(null)}
        >
          {message.text}
        </Alert>
      ) : null}
      {run.error ? (
        <Alert color="red" title="Run error" data-testid="run-error">
          {run.error}
        </Alert>
      ) : null}
      <Grid>
        <Grid.Col span={{ base: 12, lg: selected ? 7 : 12 }}>
          <Paper withBorder p="md">
            <DagView steps={run.steps} selected={selected} onSelect={select} />
          </Paper>
        </Grid.Col>
        {selected ? (
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <StepPanel
              step={step}
              error={stepError}
              loading={step === null}
              canApprove={props.canApprove}
              onDecide={(decision) => {
                setDialogError(null);
                setDialog({ kind: 'decide', decision, stepId: selected });
              }}
              onClose={() => setSelected(null)}
            />
          </Grid.Col>
        ) : null}
      </Grid>
      <Paper withBorder p="md">
        <Title order={3} size="h4" mb="sm">
          Steps
        </Title>
        <Table highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Depends on</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {run.steps.map((s) => (
              <Table.Tr key={s.id} data-testid={`step-row-${s.id}`}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => select(s.id)}>
                    {s.id}
                  </Button>
                </Table.Td>
                <Table.Td>{s.type}</Table.Td>
                <Table.Td>
                  <StateBadge state={s.state} />
                </Table.Td>
                <Table.Td>
                  {s.attempt} / {s.max_attempts}
                </Table.Td>
                <Table.Td>{s.depends_on.join(', ') || '—'}</Table.Td>
                <Table.Td>{s.error ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Text size="sm" fw={600}>
            Input
          </Text>
          <Code block>{JSON.stringify(run.input, null, 2)}</Code>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Text size="sm" fw={600}>
            Output
          </Text>
          <Code block data-testid="run-output">
            {JSON.stringify(run.output, null, 2)}
          </Code>
        </Grid.Col>
      </Grid>
      <ConfirmDialog
        key={dialog ? JSON.stringify(dialog) : 'closed'}
        opened={dialog !== null}
        title={
          dialog?.kind === 'cancel'
            ? 'Cancel this run?'
            : dialog?.kind === 'decide'
              ? `${dialog.decision === 'approve' ? 'Approve' : 'Reject'} step ${dialog.stepId}?`
              : ''
        }
        message={
          dialog?.kind === 'cancel'
            ? 'Its unfinished steps are cancelled. A cancelled run can be retried or rerun later.'
            : dialog?.kind === 'decide' && dialog.decision === 'approve'
              ? 'The run continues with the steps that depend on this approval.'
              : 'The approval step fails, and so does the run.'
        }
        confirmLabel={
          dialog?.kind === 'cancel'
            ? 'Cancel run'
            : dialog?.kind === 'decide' && dialog.decision === 'reject'
              ? 'Reject'
              : 'Approve'
        }
        color={dialog?.kind === 'decide' && dialog.decision === 'approve' ? 'green' : 'red'}
        comment={dialog?.kind === 'decide'}
        pending={pending}
        error={dialogError}
        onClose={() => setDialog(null)}
        onConfirm={(comment) => {
          if (dialog?.kind === 'cancel') act(() => cancelRun(runId), 'Run cancelled.');
          else if (dialog?.kind === 'decide')
            act(
              () => decideStep(runId, dialog.stepId, dialog.decision, comment),
              dialog.decision === 'approve' ? 'Approved.' : 'Rejected.',
            );
        }}
      />
    </Stack>
  );
}
