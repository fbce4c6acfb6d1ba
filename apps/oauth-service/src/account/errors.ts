import { HttpError, type ValidationIssue } from '@platform/http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../accounts/errors.ts';

// The accounts module names fields as it stores them (`displayName`, `password`); the account API's bodies
// name them `name` and `newPassword`. Its field issues are rewritten here, once, into the platform's
// validation shape `{ in, path, message }`; every other error passes through to the app's handler.

const API_FIELD: Record<string, string> = { displayName: 'name', password: 'newPassword' };

export function toAccountError(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  const errors: ValidationIssue[] = error.issues.map((issue) => ({
    in: 'body',
    path: `/${API_FIELD[issue.field] ?? issue.field}`,
    message: issue.message,
  }));
  return new HttpError({
    status: 400,
    code: 'validation_failed',
    detail: errors.map((issue) => `${issue.path.slice(1)}: ${issue.message}`).join('; '),
    extensions: { errors },
    cause: error,
  });
}

/** Rethrows, which hands the error to the app's own problem+json handler. */
export function accountErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  _reply: FastifyReply,
): never {
  throw toAccountError(error);
}
