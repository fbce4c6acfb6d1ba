'use client';

import {
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  PasswordInput,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import {
  createContext,
  type ReactNode,
  startTransition,
  useActionState,
  useContext,
  useRef,
  useState,
} from 'react';
import { SCHEMAS, type SchemaName } from '../lib/forms/registry.ts';
import { type FieldErrors, fieldErrors, formObject } from '../lib/forms/schemas.ts';
import type { FormAction, FormState } from '../lib/forms/state.ts';
import { ActionOutcome, CreatedOutcome } from './action-outcome.tsx';

// One form component for the whole console: validates in the browser with the same zod schema the server
// action uses, submits to the server action, shows the server's readable error and per-field errors, asks
// for confirmation first when the action is destructive, and shows a one-time client secret when the
// response carries one. Submitting through a transition (not <form action>) keeps what the user typed when
// the server refuses it.

const ErrorsContext = createContext<FieldErrors>({});

/** The confirmation a destructive action asks for before it is submitted. */
function ConfirmModal(props: {
  confirm: { title: string; message: string; confirmLabel: string };
  color: string | undefined;
  opened: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <Modal opened={props.opened} onClose={props.onCancel} title={props.confirm.title} centered>
      <Text mb="md">{props.confirm.message}</Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button color={props.color ?? 'red'} onClick={props.onConfirm}>
          {props.confirm.confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}

/**
 * The form's state: checked in the browser with the action's schema, then submitted in a transition (after
 * the confirmation, when one is asked for); field errors from both sides.
 */
function useActionForm(props: {
  action: FormAction;
  schema?: SchemaName | undefined;
  confirm?: unknown;
  resetOnSuccess?: boolean | undefined;
}) {
  const [state, dispatch, pending] = useActionState<FormState, FormData>(props.action, {});
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState<FormData | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = (data: FormData) =>
    startTransition(() => {
      dispatch(data);
      if (props.resetOnSuccess) formRef.current?.reset();
    });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    if (props.schema) {
      const parsed = SCHEMAS[props.schema].safeParse(formObject(data));
      if (!parsed.success) {
        setClientErrors(fieldErrors(parsed.error));
        return;
      }
    }
    setClientErrors({});
    if (props.confirm) setConfirming(data);
    else submit(data);
  }

  const errors = { ...(state.fieldErrors ?? {}), ...clientErrors };
  return { state, pending, errors, formRef, onSubmit, confirming, setConfirming, submit };
}

export function ActionForm(props: {
  action: FormAction;
  schema?: SchemaName;
  submitLabel: string;
  children?: ReactNode;
  /** Destructive: ask before submitting. */
  confirm?: { title: string; message: string; confirmLabel: string };
  color?: string;
  variant?: 'filled' | 'light' | 'outline' | 'subtle';
  size?: 'xs' | 'sm' | 'md';
  inline?: boolean;
  resetOnSuccess?: boolean;
  /** A creation: once it succeeds, what it created replaces the form. */
  replaceOnSuccess?: boolean;
}) {
  const { state, pending, errors, formRef, onSubmit, confirming, setConfirming, submit } =
    useActionForm(props);
  const button = (
    <Button
      type="submit"
      loading={pending}
      color={props.color}
      variant={props.variant ?? 'filled'}
      size={props.size ?? 'sm'}
    >
      {props.submitLabel}
    </Button>
  );

  if (props.replaceOnSuccess && state.ok && state.created && !pending)
    return <CreatedOutcome state={state} created={state.created} />;
  return (
    <ErrorsContext.Provider value={errors}>
      <form
        ref={formRef}
        onSubmit={onSubmit}
        noValidate
        style={props.inline ? { display: 'inline-block' } : undefined}
      >
        {props.inline ? (
          <>
            {props.children}
            {button}
          </>
        ) : (
          <Stack gap="sm">
            {props.children}
            <Group>{button}</Group>
          </Stack>
        )}
      </form>
      {pending ? null : <ActionOutcome state={state} />}
      {props.confirm ? (
        <ConfirmModal
          confirm={props.confirm}
          color={props.color}
          opened={confirming !== null}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const data = confirming;
            setConfirming(null);
            if (data) submit(data);
          }}
        />
      ) : null}
    </ErrorsContext.Provider>
  );
}

/** The error the form's last check gave `name` (the browser's or the API's), for fields built elsewhere. */
export const useFieldError = (name: string) => useContext(ErrorsContext)[name];
const useError = useFieldError;

export function TextField(props: {
  name: string;
  label: string;
  defaultValue?: string;
  description?: string;
  required?: boolean;
  type?: 'text' | 'email' | 'url' | 'number' | 'datetime-local';
  placeholder?: string;
  autoComplete?: string;
  readOnly?: boolean;
}) {
  return (
    <TextInput
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      type={props.type ?? 'text'}
      defaultValue={props.defaultValue}
      description={props.description}
      withAsterisk={props.required}
      placeholder={props.placeholder}
      autoComplete={props.autoComplete}
      readOnly={props.readOnly}
      error={useError(props.name)}
    />
  );
}

export function PasswordField(props: { name: string; label: string; description?: string }) {
  return (
    <PasswordInput
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      description={props.description}
      withAsterisk
      autoComplete="new-password"
      error={useError(props.name)}
    />
  );
}

export function TextareaField(props: {
  name: string;
  label: string;
  defaultValue?: string;
  description?: string;
}) {
  return (
    <Textarea
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      description={props.description}
      defaultValue={props.defaultValue}
      autosize
      minRows={2}
      error={useError(props.name)}
    />
  );
}

/** A textarea of one value a line (URIs, domains), filled with `values`. */
export function LinesField(props: {
  name: string;
  label: string;
  description: string;
  values: readonly string[] | undefined;
}) {
  const { values, ...field } = props;
  return <TextareaField {...field} defaultValue={(values ?? []).join('\n')} />;
}

export function CheckboxField(props: {
  name: string;
  label: string;
  defaultChecked?: boolean;
  description?: string;
}) {
  return (
    <Checkbox
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      description={props.description}
      defaultChecked={props.defaultChecked}
      error={useError(props.name)}
    />
  );
}

/** An on/off setting; submitted as "on" when on, absent when off (like a checkbox). */
export function SwitchField(props: {
  name: string;
  label: string;
  defaultChecked?: boolean;
  description?: string;
}) {
  return (
    <Switch
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      description={props.description}
      defaultChecked={props.defaultChecked}
      error={useError(props.name)}
    />
  );
}

export function CheckboxGroupField(props: {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  defaultValue?: string[];
  description?: string;
}) {
  const error = useError(props.name);
  const selected = new Set(props.defaultValue ?? []);
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }} aria-invalid={error ? true : undefined}>
      <Text component="legend" size="sm" fw={500}>
        {props.label}
      </Text>
      {props.description ? (
        <Text size="xs" c="dimmed" mb={4}>
          {props.description}
        </Text>
      ) : null}
      <Group gap="md" mt={4}>
        {props.options.map((option) => (
          <Checkbox
            key={option.value}
            name={props.name}
            value={option.value}
            label={option.label}
            defaultChecked={selected.has(option.value)}
          />
        ))}
      </Group>
      <GroupError error={error} />
    </fieldset>
  );
}

/** The error of a group of inputs (checkboxes, rows, a fieldset), announced when it appears. */
export function GroupError(props: { error: string | undefined; mt?: number }) {
  if (!props.error) return null;
  return (
    <Text size="xs" c="red" mt={props.mt ?? 4} role="alert">
      {props.error}
    </Text>
  );
}

export function SelectField(props: {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  defaultValue?: string;
  description?: string;
  /** An empty first choice, selected until the user picks one: nothing is chosen for them. */
  placeholder?: string;
  /** Controlled: the value, and what a choice does. */
  value?: string;
  onChange?: (value: string) => void;
  disabled?: boolean;
}) {
  const options = props.placeholder
    ? [{ value: '', label: props.placeholder }, ...props.options]
    : props.options;
  return (
    <NativeSelect
      id={`field-${props.name}`}
      name={props.name}
      label={props.label}
      description={props.description}
      data={options}
      {...(props.value === undefined
        ? { defaultValue: props.defaultValue ?? (props.placeholder ? '' : undefined) }
        : { value: props.value })}
      onChange={props.onChange ? (event) => props.onChange?.(event.currentTarget.value) : undefined}
      disabled={props.disabled}
      error={useError(props.name)}
    />
  );
}

export function Hidden(props: { name: string; value: string }) {
  return <input type="hidden" name={props.name} value={props.value} />;
}

/** A destructive action on one row of a list (delete, remove, revoke): a small red button that asks first. */
export function RowAction(props: {
  action: FormAction;
  label: string;
  confirm: { title: string; message: string; confirmLabel: string };
  children?: ReactNode;
}) {
  return (
    <ActionForm
      action={props.action}
      submitLabel={props.label}
      variant="subtle"
      color="red"
      size="xs"
      inline
      confirm={props.confirm}
    >
      {props.children}
    </ActionForm>
  );
}
