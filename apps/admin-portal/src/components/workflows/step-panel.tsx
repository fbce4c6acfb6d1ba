'use client';

import { Alert, Box, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { duration } from '@platform/ui/format';
import { useEffect, useRef } from 'react';
import type { StepDetail } from '../../lib/flow-api/types.ts';
import { StateBadge } from './state-badge.tsx';

const time = (value: string | null) => (value ? `${value.replace('T', ' ').replace('Z', '')} UTC` : '—');
const json = (value: unknown) => JSON.stringify(value, null, 2);

function AttemptsTable({ attempts }: { attempts: StepDetail['attempts'] }) {
  if (attempts.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No attempt yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table data-testid="step-attempts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Worker</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attempts.map((attempt) => (
            <Table.Tr key={attempt.attempt}>
              <Table.Td>{attempt.attempt}</Table.Td>
              <Table.Td>
                {/* At least as wide as its label: the table scrolls rather than cutting a state short. */}
                <Box miw="max-content">
                  <StateBadge state={attempt.state} />
                </Box>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{time(attempt.started_at)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {attempt.finished_at ? duration(attempt.duration_ms) : '—'}
              </Table.Td>
              <Table.Td>{attempt.worker ?? '—'}</Table.Td>
              <Table.Td>{attempt.error ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Approve/Reject on a waiting approval step, and the decision once made. */
function Decision(props: {
  step: StepDetail;
  canApprove: boolean;
  onDecide(decision: 'approve' | 'reject'): void;
}) {
  const { step } = props;
  return (
    <>
      {step.type === 'approval' && step.state === 'waiting' && props.canApprove ? (
        <Group>
          <Button color="green" onClick={() => props.onDecide('approve')}>
            Approve
          </Button>
          <Button color="red" variant="light" onClick={() => props.onDecide('reject')}>
            Reject
          </Button>
        </Group>
      ) : null}
      {step.decision ? (
        <Text size="sm" data-testid="step-decision">
          Decision: <b>{String(step.decision.decision ?? '')}</b>
          {step.decision.comment ? ` — “${step.decision.comment}”` : ''}
          {step.decision.by ? ` (by ${step.decision.by_name ?? step.decision.by})` : ''}
        </Text>
      ) : null}
    </>
  );
}

function StepBody(props: {
  step: StepDetail;
  canApprove: boolean;
  onDecide(decision: 'approve' | 'reject'): void;
}) {
  const { step } = props;
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <StateBadge state={step.state} testId="step-state" />
        <Text size="sm">
          {step.type} · attempt {step.attempt}
        </Text>
      </Group>
      <Text size="sm">
        Started {time(step.started_at)} · finished {time(step.finished_at)}
      </Text>
      {step.error ? (
        <Alert color="red" title="Error" data-testid="step-error">
          {step.error}
        </Alert>
      ) : null}
      <Decision step={step} canApprove={props.canApprove} onDecide={props.onDecide} />
      <Title order={4} size="h5">
        Attempts
      </Title>
      <AttemptsTable attempts={step.attempts} />
      <Text size="sm" fw={600}>
        Input
      </Text>
      <Code block>{json(step.input)}</Code>
      <Text size="sm" fw={600}>
        Output
      </Text>
      <Code block>{json(step.output)}</Code>
    </Stack>
  );
}

/** A step's detail: state, input/output, decision, and every attempt with its worker, error and timing. */
export function StepPanel(props: {
  step: StepDetail | null;
  error: string | null;
  loading: boolean;
  canApprove: boolean;
  onDecide(decision: 'approve' | 'reject'): void;
  onClose(): void;
}) {
  const { step } = props;
  const panel = useRef<HTMLDivElement>(null);
  const stepId = step?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when another step opens, not on reloads.
  useEffect(() => {
    panel.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [stepId]);
  return (
    <Paper withBorder p="md" data-testid="step-panel" ref={panel}>
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          {step ? `Step ${step.id}` : 'Step'}
        </Title>
        <Button variant="subtle" size="xs" onClick={props.onClose}>
          Close
        </Button>
      </Group>
      {props.error ? (
        <Alert color="red" role="alert">
          {props.error}
        </Alert>
      ) : null}
      {!step && props.loading ? <Text size="sm">Loading…</Text> : null}
      {step ? <StepBody step={step} canApprove={props.canApprove} onDecide={props.onDecide} /> : null}
    </Paper>
  );
}
