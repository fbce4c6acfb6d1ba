// The platform's one error type and its one serializer (RFC 9457 problem+json). Every non-OAuth API answers
// errors through `toProblem`; OAuth endpoints keep RFC 6749's shape and live in oauth-service.

export interface HttpErrorOptions {
  status: number;
  /** Stable machine-readable code, e.g. `not_found`, `invalid_token`; becomes the problem `type` URN. */
  code: string;
  title?: string;
  /** Human-readable explanation. Shown to the client only when `expose` is true. */
  detail?: string;
  /** Whether `detail` may be sent to the client. Defaults to true below 500, false from 500 up. */
  expose?: boolean;
  /** Response headers that belong to the error (e.g. `WWW-Authenticate`, `Allow`, `Retry-After`). */
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 §3.2), e.g. `errors` with the failing items. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly expose: boolean;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(options: HttpErrorOptions) {
    super(options.detail ?? options.title ?? options.code, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    this.title = options.title ?? STATUS_TITLES[options.status] ?? 'Error';
    this.detail = options.detail;
    this.expose = options.expose ?? options.status < 500;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new HttpError({ status: 400, code: 'bad_request', detail, ...(extensions ? { extensions } : {}) });
export const notFound = (detail = 'The requested resource does not exist.') =>
  new HttpError({ status: 404, code: 'not_found', detail });
export const conflict = (detail: string) => new HttpError({ status: 409, code: 'conflict', detail });

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  request_id?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Serializes an HttpError as RFC 9457 problem details. Never includes stacks or unexposed messages. */
export function toProblem(
  error: HttpError,
  context: { instance?: string; requestId?: string } = {},
): Problem {
  return {
    ...error.extensions,
    type: `urn:problem:${error.code}`,
    title: error.title,
    status: error.status,
    ...(error.expose && error.detail ? { detail: error.detail } : {}),
    ...(context.instance ? { instance: context.instance } : {}),
    code: error.code,
    ...(context.requestId ? { request_id: context.requestId } : {}),
  };
}
