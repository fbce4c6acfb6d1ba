/** What a server action answers to the form that called it. */
export interface FormState {
  ok?: boolean;
  /** A readable error for the whole form (the API's problem detail). */
  error?: string;
  /** Errors by field name. */
  fieldErrors?: Record<string, string>;
  /** The change needs a recent sign-in: the form offers to sign in again (ADR 0040). */
  reauthenticate?: boolean;
  /** Shown after success. */
  message?: string;
}

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;
