import { STATUS_CODES } from 'node:http';
import { HttpError } from './errors.ts';

/** One failing item of a schema validation, as listed in the `errors` problem extension. */
export interface ValidationIssue {
  /** Which part of the request failed: `body`, `querystring`, `params` or `headers`. */
  in: string;
  /** JSON Pointer into that part, e.g. `/items/0/name`; `` for the part itself. */
  path: string;
  message: string;
}

// With Ajv's allErrors a hostile body can produce thousands of issues; the client needs the first few.
export const MAX_VALIDATION_ISSUES = 50;

interface AjvLikeIssue {
  keyword?: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

// Fastify's own errors for bad request bodies get stable codes of ours; their messages are rewritten
// so the wording clients see does not change with Fastify upgrades.
const KNOWN_FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'empty_body',
    detail: 'The request body is empty but its content type is JSON.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'body_too_large',
    detail: 'The request body is larger than this service accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'The request content type is not supported by this endpoint.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    detail: 'The request body size does not match its Content-Length.',
  },
};

/** `Payload Too Large` → `payload_too_large`; the generic code for a 4xx we have no specific name for. */
export function codeForStatus(status: number): string {
  const phrase = STATUS_CODES[status];
  if (!phrase) return status < 500 ? 'client_error' : 'internal_error';
  return phrase
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function pointerOf(issue: AjvLikeIssue): string {
  const base = issue.instancePath ?? '';
  // Ajv reports a missing or unknown property at its parent; point at the property itself, which is what
  // was wrong.
  const property =
    issue.keyword === 'required'
      ? issue.params?.missingProperty
      : issue.keyword === 'additionalProperties'
        ? issue.params?.additionalProperty
        : undefined;
  return typeof property === 'string' ? `${base}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}` : base;
}

export function validationIssues(validation: readonly unknown[], context: string): ValidationIssue[] {
  return validation.slice(0, MAX_VALIDATION_ISSUES).map((raw) => {
    const issue = (typeof raw === 'object' && raw !== null ? raw : {}) as AjvLikeIssue;
    return { in: context, path: pointerOf(issue), message: issue.message ?? 'is invalid' };
  });
}

function isClientErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 499;
}

/**
 * Maps anything a route, hook or Fastify itself can throw to an HttpError. Client mistakes keep their
 * 4xx status; everything unknown becomes an opaque 500 whose cause stays server-side.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;

  const fastifyError = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;

  if (Array.isArray(fastifyError.validation)) {
    const context =
      typeof fastifyError.validationContext === 'string' ? fastifyError.validationContext : 'body';
    return new HttpError({
      status: 400,
      code: 'validation_failed',
      detail: `The request ${context} does not match the expected schema.`,
      extensions: { errors: validationIssues(fastifyError.validation, context) },
      cause: error,
    });
  }

  const known = typeof fastifyError.code === 'string' ? KNOWN_FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return new HttpError({ ...known, cause: error });

  if (isClientErrorStatus(fastifyError.statusCode)) {
    // A 4xx from Fastify or a plugin we do not know: keep the status, but not the message, which we
    // have not vetted for leaking internals.
    return new HttpError({
      status: fastifyError.statusCode,
      code: codeForStatus(fastifyError.statusCode),
      cause: error,
    });
  }

  return new HttpError({ status: 500, code: 'internal_error', expose: false, cause: error });
}
