import type { FieldErrors } from './schemas.ts';

/** What a server action answers to the form that called it. */
export interface FormState {
  ok?: boolean;
  /** A readable error for the whole form (the API's problem detail). */
  error?: string;
  fieldErrors?: FieldErrors;
  /** Shown after success. */
  message?: string;
  /** A client secret, returned by exactly one response (creation or rotation) and shown once. */
  secret?: { clientId: string; clientName?: string; value: string };
  /** What a creation made, linked: the form that made it gives way to this. */
  created?: { name: string; href: string };
}

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;
