// Every API the console calls answers failures as RFC 9457 problem details (the platform's one error
// format); ApiError carries one, whichever service or route handler sent it.

/** One entry of a problem's `errors`: which part of the request failed, and why. */
export interface ProblemIssue {
  /** `body`, `query`, `params` or `headers`. */
  in?: string;
  /** JSON pointer into that part, e.g. `/redirect_uris/0`. */
  path?: string;
  message?: string;
}

/** The RFC 9457 members the platform sends, plus its `code`, `request_id` and `errors` extensions. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  code?: string;
  request_id?: string;
  errors?: ProblemIssue[];
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The problem in a response body, or an empty one when the body is not a JSON object. */
export function parseProblem(body: string): ProblemDetails {
  try {
    const parsed: unknown = body ? JSON.parse(body) : undefined;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ProblemDetails) : {};
  } catch {
    return {};
  }
}

/** A failed API call: the HTTP status and the problem the service answered with. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: ProblemIssue[];

  /** The message is the problem's own words (`detail`, written for people, else `title`), else `fallback`. */
  constructor(status: number, problem: ProblemDetails, fallback = `The request failed with HTTP ${status}.`) {
    super(text(problem.detail) ?? text(problem.title) ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.code = problem.code;
    this.requestId = problem.request_id;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** Errors by form field: `/redirect_uris/0` → `redirect_uris`; the first message for a field wins. */
  get fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const issue of this.errors) {
      const field = issue?.path?.split('/').filter(Boolean)[0];
      if (field && issue.message) errors[field] ??= issue.message;
    }
    return errors;
  }

  /** Errors by whole JSON pointer, `/` for the request as a whole; the first message for a pointer wins. */
  get pointerErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const issue of this.errors) if (issue?.message) errors[issue.path || '/'] ??= issue.message;
    return errors;
  }
}
