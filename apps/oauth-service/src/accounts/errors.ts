import { HttpError } from '@platform/http';

// The accounts module's typed errors. They are HttpErrors, so the admin API can rethrow them as they are
// and clients get a problem+json with a stable code; callers that are not HTTP match on the class.

export interface FieldIssue {
  field: string;
  message: string;
}

/** Input that breaks a rule (format, length, password policy); `issues` lists every rule broken. */
export class ValidationError extends HttpError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[]) {
    super({
      status: 400,
      code: 'validation_failed',
      detail: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
      extensions: { errors: issues },
    });
    this.issues = issues;
  }
}

/** A unique value already taken: `field` names which one (`username`, `email`, `name`). */
export class ConflictError extends HttpError {
  override name = 'ConflictError';
  readonly field: string;

  constructor(entity: string, field: string) {
    super({
      status: 409,
      code: 'conflict',
      detail: `A ${entity} with this ${field} already exists.`,
      extensions: { field },
    });
    this.field = field;
  }
}

export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  readonly entity: string;

  constructor(entity: string, id: string) {
    // The id is the caller's own input; echoing it (bounded) helps them and reveals nothing new.
    super({
      status: 404,
      code: 'not_found',
      detail: `No ${entity} with id ${JSON.stringify(String(id).slice(0, 64))}.`,
    });
    this.entity = entity;
  }
}
