import { HttpError, type ValidationIssue } from '@platform/http';

// Rules checked in code report as schema validation does (@platform/http): every faulty field of the request
// body at once, each under its JSON pointer, in one 400 problem.

/** Collects the issues of a request body (under `pointer`); `assertNone` throws them, if any, as one problem. */
export function bodyIssues(pointer = '') {
  const errors: ValidationIssue[] = [];
  const add = (path: string, message: string): void => {
    errors.push({ in: 'body', path: `${pointer}${path}`, message });
  };
  const assertNone = (): void => {
    if (errors.length === 0) return;
    throw new HttpError({
      status: 400,
      code: 'validation_failed',
      detail: errors.map((e) => `${e.path.slice(1)}: ${e.message}`).join('; '),
      extensions: { errors },
    });
  };
  return { add, assertNone };
}
