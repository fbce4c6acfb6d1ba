'use client';

import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import {
  createContext,
  type ReactNode,
  startTransition,
  useActionState,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import type { FormAction, FormState } from '../lib/forms/state.ts';
import { FormFailure } from './form-failure.tsx';

// One form component for the console: submits to its server action in a transition (what the user typed
// stays when the server refuses it), shows the server's readable error or success message, hands per-field
// errors to its fields (useFieldError), and asks for confirmation first when `confirm` is given.

const ErrorsContext = createContext<Record<string, string>>({});

/** The server's error for a field of the enclosing ActionForm. */
export const useFieldError = (name: string): string | undefined => useContext(ErrorsContext)[name];

export interface Confirmation {
  title: string;
  message: ReactNode;
  confirmLabel: string;
}

function Outcome({ state, label }: { state: FormState; label: string }) {
  if (state.error)
    return (
      <FormFailure title={`${label} failed`} error={state.error} reauthenticate={state.reauthenticate} />
    );
  if (state.ok && state.message)
    return (
      <Alert color="green" role="status">
        {state.message}
      </Alert>
    );
  return null;
}

export function ActionForm(props: {
  action: FormAction;
  /** The submit button's label (also names the failure: "Save failed"). */
  submitLabel: string;
  /** Hidden inputs (ids). */
  hidden?: Record<string, string>;
  confirm?: Confirmation;
  color?: string;
  variant?: string;
  resetOnSuccess?: boolean;
  /** Inline: the button alone on a table row. */
  compact?: boolean;
  children?: ReactNode;
}) {
  const [state, dispatch, pending] = useActionState<FormState, FormData>(props.action, {});
  const [confirming, setConfirming] = useState<FormData | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const submit = (data: FormData) => startTransition(() => dispatch(data));
  // Emptied only once the server accepted it: a refused form keeps what the user typed.
  useEffect(() => {
    if (state.ok && props.resetOnSuccess) formRef.current?.reset();
  }, [state, props.resetOnSuccess]);
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    if (props.confirm) setConfirming(data);
    else submit(data);
  };
  const button = (
    <Button
      type="submit"
      loading={pending}
      color={props.color}
      variant={props.variant}
      size={props.compact ? 'xs' : 'sm'}
    >
      {props.submitLabel}
    </Button>
  );
  return (
    <ErrorsContext.Provider value={state.fieldErrors ?? {}}>
      <form ref={formRef} onSubmit={onSubmit} noValidate={false}>
        {Object.entries(props.hidden ?? {}).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <Stack gap="sm">
          <Outcome state={state} label={props.submitLabel} />
          {props.children}
          {props.compact ? button : <Group>{button}</Group>}
        </Stack>
      </form>
      {props.confirm ? (
        <Modal
          opened={confirming !== null}
          onClose={() => setConfirming(null)}
          title={props.confirm.title}
          centered
        >
          <Text mb="md">{props.confirm.message}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button
              color={props.color ?? 'red'}
              onClick={() => {
                if (confirming) submit(confirming);
                setConfirming(null);
              }}
            >
              {props.confirm.confirmLabel}
            </Button>
          </Group>
        </Modal>
      ) : null}
    </ErrorsContext.Provider>
  );
}
