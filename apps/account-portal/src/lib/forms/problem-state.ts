import type { ApiError } from '@platform/web-session/problem';
import type { FormState } from './state.ts';

/** How the API's problem codes map to the form's fields, where the problem names no pointer. */
const CODE_FIELDS: Record<string, string> = { current_password_incorrect: 'currentPassword' };

export function problemState(error: ApiError): FormState {
  const fields = { ...error.fieldErrors };
  const field = error.code ? CODE_FIELDS[error.code] : undefined;
  if (field) fields[field] ??= error.message;
  // With field errors the fields say what is wrong; the API's detail (`path: message`) would only repeat it.
  const summary = Object.keys(fields).length > 0 ? 'Some fields need attention.' : error.message;
  return { error: summary, fieldErrors: fields };
}
