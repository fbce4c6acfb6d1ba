'use client';

import { PasswordInput, TextInput } from '@mantine/core';
import { useFieldError } from './action-form.tsx';

// Form fields wired to their ActionForm's server-side field errors (announced with the field: aria-invalid
// and the error text as its description).

export function TextField(props: {
  name: string;
  label: string;
  defaultValue?: string;
  required?: boolean;
  maxLength?: number;
  autoComplete?: string;
}) {
  const error = useFieldError(props.name);
  return <TextInput {...props} error={error} />;
}

export function PasswordField(props: {
  name: string;
  label: string;
  autoComplete: string;
  description?: string;
}) {
  const error = useFieldError(props.name);
  return <PasswordInput {...props} required maxLength={1024} error={error} />;
}
