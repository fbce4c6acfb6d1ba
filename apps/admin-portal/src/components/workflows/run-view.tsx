'use client';

import { Alert, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { cancelRun, decideStep, rerunRun, retryRun } from '../../app/actions/workflows.ts';
import { FINISHED, type RunDetail } from '../../lib/flow-api/types.ts';
import { DagView } from './dag-view.tsx';
import { PendingApprovals } from './pending-approvals.tsx';
import { RunDialog, type RunDialogState } from './run-dialog.tsx';
import { RunInputOutput, RunStepsTable } from './run-steps-table.tsx';
import { StateBadge } from './state-badge.tsx';
import { StepPanel } from './step-panel.tsx';
import { type Connection, useLiveRun } from './use-live-run.ts';

// A run, live (use-live-run.ts): the DAG and the step table follow the run's events. The actions the user
// may take are shown (the server action and flow-service check again).

type Message = { color: string; text: string };
type Outcome = { ok: true } | { ok: false; error: string };

const CONNECTION_TEXT: Record<Connection, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  stopped: 'Live updates stopped — reload the page',
};

function RunActions(props: {
  run: RunDetail;
  pending: boolean;
  onCancel: () => void;
  onRetry: () => void;
  onRerun: () => void;
}) {
  const { state } = props.run;
  const active = !FINISHED.has(state);
  const retryable = state === 'failed' || state === 'timed_out' || state === 'cancelled';
  return (
    <Group gap="xs">
      {active ? (
        <Button color="red" variant="light" onClick={props.onCancel}>
          Cancel run
        </Button>
      ) : null}
      {retryable ? (
        <Button variant="light" loading={props.pending} onClick={props.onRetry}>
          Retry from failed step
        </Button>
      ) : null}
      {!active ? (
        <Button variant="default" loading={props.pending} onClick={props.onRerun}>
          Rerun
        </Button>
      ) : null}
    </Group>
  );
}

function RunMessages(props: { message: Message | null; onClose: () => void; runError: string | null }) {
  const { message } = props;
  return (
    <>
      {message ? (
        <Alert
          color={message.color}
          role={message.color === 'red' ? 'alert' : 'status'}
          withCloseButton
          closeButtonLabel="Dismiss message"
          onClose={props.onClose}
        >
          {message.text}
        </Alert>
      ) : null}
      {props.runError ? (
        <Alert color="red" title="Run error" data-testid="run-error">
          {props.runError}
        </Alert>
      ) : null}
    </>
  );
}

/** The run's actions (cancel, retry, rerun, decide) with their confirmation and the message they leave. */
function useRunActions(runId: string, reload: () => Promise<void>) {
  const router = useRouter();
  const [dialog, setDialog] = useState<RunDialogState>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [pending, startTransition] = useTransition();

  const act = (perform: () => Promise<Outcome>, done: string) =>
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

  const confirm = (comment: string) => {
    if (dialog?.kind === 'cancel') act(() => cancelRun(runId), 'Run cancelled.');
    else if (dialog?.kind === 'decide')
      act(
        () => decideStep(runId, dialog.stepId, dialog.decision, comment),
        dialog.decision === 'approve' ? 'Approved.' : 'Rejected.',
      );
  };

  const decide = (decision: 'approve' | 'reject', stepId: string) => {
    setDialogError(null);
    setDialog({ kind: 'decide', decision, stepId });
  };

  return {
    pending,
    message,
    clearMessage: () => setMessage(null),
    dialog,
    dialogError,
    closeDialog: () => setDialog(null),
    askCancel: () => setDialog({ kind: 'cancel' }),
    retry: () => act(() => retryRun(runId), 'Retrying from the failed step.'),
    rerun,
    decide,
    confirm,
  };
}

export function RunView(props: {
  initial: RunDetail;
  streamUrl: string;
  canRun: boolean;
  canApprove: boolean;
}) {
  const { run, connection, selected, select, unselect, step, stepError, reload } = useLiveRun(
    props.initial,
    props.streamUrl,
  );
  const actions = useRunActions(props.initial.id, reload);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <StateBadge state={run.state} testId="run-state" />
          <Text size="sm" c="dimmed" data-testid="live-status">
            {CONNECTION_TEXT[connection]}
          </Text>
        </Group>
        {props.canRun ? (
          <RunActions
            run={run}
            pending={actions.pending}
            onCancel={actions.askCancel}
            onRetry={actions.retry}
            onRerun={actions.rerun}
          />
        ) : null}
      </Group>
      <RunMessages message={actions.message} onClose={actions.clearMessage} runError={run.error} />
      <PendingApprovals
        runId={run.id}
        steps={run.steps}
        canApprove={props.canApprove}
        onDecide={actions.decide}
      />
      {/* The DAG keeps the page's full width (its last box stays in view); a step's panel opens below it. */}
      <Paper withBorder p="md">
        <DagView steps={run.steps} selected={selected} onSelect={select} />
      </Paper>
      {selected ? (
        <StepPanel
          step={step}
          error={stepError}
          loading={step === null}
          canApprove={props.canApprove}
          onDecide={(decision) => actions.decide(decision, selected)}
          onClose={unselect}
        />
      ) : null}
      <RunStepsTable steps={run.steps} onSelect={select} />
      <RunInputOutput input={run.input} output={run.output} />
      <RunDialog
        dialog={actions.dialog}
        pending={actions.pending}
        error={actions.dialogError}
        onClose={actions.closeDialog}
        onConfirm={actions.confirm}
      />
    </Stack>
  );
}
