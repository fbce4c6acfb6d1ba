import { z } from 'zod';

// The forms' input, checked on the server (the browser's required/maxlength attributes are a convenience,
// not a check). The password policy itself is oauth-service's: its refusal comes back as field errors.

export const profileSchema = z.object({
  name: z.string().trim().min(1, 'Enter a display name.').max(200, 'At most 200 characters.'),
});

export const passwordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.').max(1024),
    newPassword: z.string().min(1, 'Enter a new password.').max(1024),
    confirmPassword: z.string().max(1024),
  })
  .refine((value) => value.newPassword === value.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two new passwords differ.',
  });

/** An id carried in a hidden input (a session id, a client id). */
export const idSchema = z.object({ id: z.string().min(1).max(255) });

/** The form's fields as strings (files and repeated names ignored). */
export function formObject(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === 'string' && !(key in fields)) fields[key] = value;
  return fields;
}

/** A zod error as one message per field (the first one). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    if (field) errors[field] ??= issue.message;
  }
  return errors;
}
