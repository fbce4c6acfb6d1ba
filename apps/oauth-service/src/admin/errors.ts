import { HttpError, type ValidationIssue } from '@platform/http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

// The domain modules report bad input with their own field names (`displayName`, `actor.id`) as
// `{ field, message }`. The admin API speaks snake_case JSON and the platform's validation shape
// `{ in, path, message }` (what schema validation produces), so those errors are rewritten here, once, for
// every admin route. Everything else passes through unchanged to the app's problem+json handler.

/** Domain field names whose API name is not simply their snake_case form. */
const RENAMED: Record<string, string> = {
  'actor.id': 'actor',
  'actor.type': 'actor_type',
  'target.id': 'target_id',
  'target.type': 'target_type',
};

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** The API name of a domain field, as a JSON pointer path below the body or query: `scopes.0.name` → `scopes/0/name`. */
export function apiFieldName(field: string): string {
  return RENAMED[field] ?? snakeCase(field).replace(/\./g, '/');
}

interface FieldIssue {
  field: string;
  message: string;
}

const isFieldIssue = (value: unknown): value is FieldIssue =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as FieldIssue).field === 'string' &&
  typeof (value as FieldIssue).message === 'string' &&
  !('path' in value);

/** The error as the admin API reports it: field issues renamed and located, anything else as it is. */
export function toAdminError(error: unknown, request: FastifyRequest): unknown {
  if (!(error instanceof HttpError) || error.code !== 'validation_failed') return error;
  const issues = error.extensions.errors;
  if (!Array.isArray(issues) || issues.length === 0 || !issues.every(isFieldIssue)) return error;
  // Queries carry the inputs of reads; bodies those of changes.
  const where = request.method === 'GET' || request.method === 'DELETE' ? 'querystring' : 'body';
  const errors: ValidationIssue[] = issues.map((issue) => ({
    in: where,
    path: `/${apiFieldName(issue.field)}`,
    message: issue.message,
  }));
  return new HttpError({
    status: 400,
    code: 'validation_failed',
    detail: errors.map((issue) => `${issue.path.slice(1)}: ${issue.message}`).join('; '),
    extensions: { ...error.extensions, errors },
    cause: error,
  });
}

/**
 * The admin scope's error handler: rewrites, then rethrows, which hands the error to the app's own
 * problem+json handler (Fastify passes what a child error handler throws to its parent's).
 */
export function adminErrorHandler(error: FastifyError, request: FastifyRequest, _reply: FastifyReply): never {
  throw toAdminError(error, request);
}
