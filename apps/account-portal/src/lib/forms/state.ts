/** What a server action answers to the form that called it. */
export interface FormState {
  ok?: boolean;
  /** A readable error for the whole form (the API's problem detail). */
  error?: string;
  /** Errors by field name. */
  fieldErrors?: Record<string, string>;
  /** Shown after success. */
  message?: string;
}

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;
