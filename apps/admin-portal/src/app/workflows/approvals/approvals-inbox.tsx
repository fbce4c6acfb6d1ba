'use client';

import { Alert, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { AnchorLink } from '../../../components/links.tsx';
import { ConfirmDialog } from '../../../components/workflows/confirm-dialog.tsx';
import { decideStep } from '../../actions/workflows.ts';
import type { Starter } from './starters.ts';

// The inbox: each waiting approval with its message, who started the run and since when, and Approve /
// Reject with an optional comment, confirmed first like on the run page.

export interface InboxItem {
  runId: string;
  stepId: string;
  title: string;
  message: string;
  details: string | null;
  startedBy: Starter;
  waitingSince: string | null;
  deadlineAt: string | null;
}

type Decision = 'approve' | 'reject';
type Pending = { item: InboxItem; decision: Decision } | null;

function InboxCard(props: { item: InboxItem; onDecide(decision: 'approve' | 'reject'): void }) {
  const { item } = props;
  const runHref = `/workflows/runs/${encodeURIComponent(item.runId)}`;
  return (
    <Paper withBorder p="md" component="li" data-testid={`approval-${item.runId}-${item.stepId}`}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4} style={{ flex: 1, minWidth: 280 }}>
          <Title order={3} size="h5">
            <AnchorLink href={runHref}>{item.title}</AnchorLink>
          </Title>
          <Text size="sm" data-testid="approval-message">
            {item.message}
          </Text>
          {item.details ? <Code block>{item.details}</Code> : null}
          <Text size="sm">
            Started by{' '}
            {item.startedBy.href ? (
              <AnchorLink href={item.startedBy.href}>{item.startedBy.label}</AnchorLink>
            ) : (
              item.startedBy.label
            )}{' '}
            · waiting since {when(item.waitingSince)}
            {item.deadlineAt ? ` · decides by itself at ${when(item.deadlineAt)}` : ''}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button color="green.9" onClick={() => props.onDecide('approve')}>
            Approve
          </Button>
          <Button color="red.9" variant="outline" onClick={() => props.onDecide('reject')}>
            Reject
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}

/** The waiting approvals, or what the page says when nothing waits. */
function InboxList(props: { items: InboxItem[]; onDecide: (item: InboxItem, decision: Decision) => void }) {
  if (props.items.length === 0)
    return (
      <Paper withBorder p="xl" data-testid="approvals-empty">
        <Text>Nothing waits for your decision.</Text>
        <Text size="sm" mt={4}>
          Approval steps of running workflows appear here as soon as they wait.
        </Text>
      </Paper>
    );
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Waiting approvals">
      {props.items.map((item) => (
        <InboxCard
          key={`${item.runId}/${item.stepId}`}
          item={item}
          onDecide={(decision) => props.onDecide(item, decision)}
        />
      ))}
    </Stack>
  );
}

export function ApprovalsInbox(props: { items: InboxItem[] }) {
  const router = useRouter();
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, startTransition] = useTransition();

  const confirm = (comment: string) => {
    if (!pending) return;
    const { item, decision } = pending;
    startTransition(async () => {
      const result = await decideStep(item.runId, item.stepId, decision, comment);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setPending(null);
      setMessage(`${decision === 'approve' ? 'Approved' : 'Rejected'}: ${item.title}.`);
      router.refresh();
    });
  };

  return (
    <Stack>
      {message ? (
        <Alert
          color="green"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss message"
          onClose={() => setMessage(null)}
        >
          {message}
        </Alert>
      ) : null}
      <InboxList
        items={props.items}
        onDecide={(item, decision) => {
          setError(null);
          setPending({ item, decision });
        }}
      />
      <ConfirmDialog
        key={pending ? `${pending.item.runId}/${pending.item.stepId}/${pending.decision}` : 'closed'}
        opened={pending !== null}
        title={
          pending ? `${pending.decision === 'approve' ? 'Approve' : 'Reject'} ${pending.item.title}?` : ''
        }
        message={
          pending?.decision === 'approve'
            ? 'The run continues with the steps that depend on this approval.'
            : 'The approval step fails, and so does the run.'
        }
        confirmLabel={pending?.decision === 'reject' ? 'Reject' : 'Approve'}
        color={pending?.decision === 'reject' ? 'red.9' : 'green.9'}
        comment
        pending={busy}
        error={error}
        onClose={() => setPending(null)}
        onConfirm={confirm}
      />
    </Stack>
  );
}
