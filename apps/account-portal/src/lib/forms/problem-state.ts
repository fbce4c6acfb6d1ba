import type { ApiError } from '@platform/web-session/problem';
import type { FormState } from './state.ts';

/** How the API's problem codes map to the form's fields, where the problem names no pointer. */
const CODE_FIELDS: Record<string, string> = { current_password_incorrect: 'currentPassword' };

/** The account API's answer to a sensitive change after a sign-in older than its window. */
export const REAUTHENTICATION_REQUIRED = 'reauthentication_required';

export function problemState(error: ApiError): FormState {
  if (error.code === REAUTHENTICATION_REQUIRED)
    return {
      error: 'For your security, this change needs a recent sign-in. Sign in again, then repeat it.',
      reauthenticate: true,
    };
  const fields = { ...error.fieldErrors };
  const field = error.code ? CODE_FIELDS[error.code] : undefined;
  if (field) fields[field] ??= error.message;
  // With field errors the fields say what is wrong; the API's detail (`path: message`) would only repeat it.
  const summary = Object.keys(fields).length > 0 ? 'Some fields need attention.' : error.message;
  return { error: summary, fieldErrors: fields };
}
