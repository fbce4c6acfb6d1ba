// An admin API failure in the form the console shows: the problem's own words (RFC 9457 `detail`, written
// for people), and field errors under the form fields they name.

export interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
  errors?: Array<{ in?: string; path?: string; message?: string }>;
}

export class AdminApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly fieldErrors: Record<string, string>;

  constructor(status: number, problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `The admin API answered ${status}.`);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = problem.code;
    this.fieldErrors = problemFieldErrors(problem);
  }
}

/** `/redirect_uris/0` → `redirect_uris`: the form field a JSON-pointer error belongs to. */
export function problemFieldErrors(problem: ProblemBody): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of problem.errors ?? []) {
    const field = issue.path?.split('/').filter(Boolean)[0];
    if (field && issue.message) errors[field] ??= issue.message;
  }
  return errors;
}

/** The message a person reads for an unexpected failure (never a stack trace). */
export function readableError(error: unknown): string {
  if (error instanceof AdminApiError) return error.message;
  return 'The request could not be completed: oauth-service did not answer. Try again in a moment.';
}
