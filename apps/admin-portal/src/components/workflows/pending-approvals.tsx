'use client';

import { Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { fetchStep } from '../../app/actions/workflows.ts';
import type { RunStep } from '../../lib/flow-api/types.ts';
import { approvalPrompt } from '../../lib/workflows/approval-prompt.ts';

// Every approval step of the run that waits for a decision, at the top of the run page with its message and
// Approve / Reject: a decider acts without first finding the step in the DAG.

type Prompts = Record<string, ReturnType<typeof approvalPrompt> | undefined>;

/** The rendered message and details of each waiting step (the run's DAG carries states, not inputs). */
function usePrompts(runId: string, waiting: string[]): Prompts {
  const [prompts, setPrompts] = useState<Prompts>({});
  const key = waiting.join('\u0000');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `waiting`'s contents.
  useEffect(() => {
    let current = true;
    for (const stepId of waiting) {
      void fetchStep(runId, stepId).then((result) => {
        if (current && result.ok)
          setPrompts((known) => ({ ...known, [stepId]: approvalPrompt(result.value.input) }));
      });
    }
    return () => {
      current = false;
    };
  }, [runId, key]);
  return prompts;
}

export function PendingApprovals(props: {
  runId: string;
  steps: RunStep[];
  canApprove: boolean;
  onDecide(decision: 'approve' | 'reject', stepId: string): void;
}) {
  const waiting = props.steps.filter((step) => step.type === 'approval' && step.state === 'waiting');
  const prompts = usePrompts(
    props.runId,
    waiting.map((step) => step.id),
  );
  if (waiting.length === 0) return null;
  return (
    <Stack gap="xs">
      {waiting.map((step) => {
        const prompt = prompts[step.id];
        return (
          <Paper
            key={step.id}
            withBorder
            p="md"
            style={{ borderLeft: '4px solid var(--mantine-color-yellow-6)' }}
            data-testid={`pending-approval-${step.id}`}
            aria-labelledby={`pending-approval-title-${step.id}`}
            component="section"
          >
            <Title order={3} size="h5" id={`pending-approval-title-${step.id}`}>
              Waiting for a decision: {step.name ?? step.id}
            </Title>
            <Text size="sm" mt={4} data-testid="approval-message">
              {prompt ? prompt.message : 'Loading the message…'}
            </Text>
            {prompt?.details ? (
              <Code block mt="xs">
                {prompt.details}
              </Code>
            ) : null}
            {props.canApprove ? (
              <Group mt="sm" gap="xs">
                <Button color="green.9" onClick={() => props.onDecide('approve', step.id)}>
                  Approve
                </Button>
                <Button color="red.9" variant="outline" onClick={() => props.onDecide('reject', step.id)}>
                  Reject
                </Button>
              </Group>
            ) : (
              <Text size="sm" mt="xs">
                A person holding the flow:approve permission decides.
              </Text>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
