'use client';

import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';

/** Asks before an action; with `comment`, the user may add one (approve/reject). */
export function ConfirmDialog(props: {
  opened: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  color?: string;
  comment?: boolean;
  pending: boolean;
  error: string | null;
  onConfirm(comment: string): void;
  onClose(): void;
}) {
  const [comment, setComment] = useState('');
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} centered>
      <Stack>
        <Text size="sm">{props.message}</Text>
        {props.comment ? (
          <Textarea
            label="Comment"
            description="Kept with the decision in the run's history."
            maxLength={2000}
            autosize
            minRows={2}
            value={comment}
            onChange={(event) => setComment(event.currentTarget.value)}
          />
        ) : null}
        {props.error ? (
          <Alert color="red" role="alert">
            {props.error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose} disabled={props.pending}>
            Back
          </Button>
          <Button
            color={props.color ?? 'blue'}
            loading={props.pending}
            onClick={() => props.onConfirm(comment)}
          >
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
