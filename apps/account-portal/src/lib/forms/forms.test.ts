import { ApiError } from '@platform/web-session/problem';
import { describe, expect, it } from 'vitest';
import { problemState } from './problem-state.ts';
import { fieldErrors, formObject, passwordSchema, profileSchema } from './schemas.ts';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return formObject(data);
};

describe('the password form', () => {
  it('needs the current password and the same new password twice', () => {
    const parsed = passwordSchema.safeParse(
      form({ currentPassword: '', newPassword: 'a-new-one', confirmPassword: 'another' }),
    );
    expect(parsed.success).toBe(false);
    expect(fieldErrors(parsed.error!)).toEqual({
      currentPassword: 'Enter your current password.',
      confirmPassword: 'The two new passwords differ.',
    });
  });

  it('shows the API’s refusals on their fields', () => {
    const wrong = new ApiError(400, {
      status: 400,
      code: 'current_password_incorrect',
      detail: 'The current password is not correct.',
    });
    expect(problemState(wrong).fieldErrors).toEqual({
      currentPassword: 'The current password is not correct.',
    });
    const policy = new ApiError(400, {
      status: 400,
      detail: 'The new password does not meet the policy.',
      errors: [{ in: 'body', path: '/newPassword', message: 'must be at least 12 characters' }],
    });
    // The field says what is wrong; the form's message does not repeat the API's `path: message` detail.
    expect(problemState(policy)).toEqual({
      error: 'Some fields need attention.',
      fieldErrors: { newPassword: 'must be at least 12 characters' },
    });
    const locked = new ApiError(400, { status: 400, code: 'account_locked', detail: 'Try again later.' });
    expect(problemState(locked)).toEqual({ error: 'Try again later.', fieldErrors: {} });
  });

  it('asks for a new sign-in when the API wants a recent one', () => {
    const stale = new ApiError(403, {
      status: 403,
      code: 'reauthentication_required',
      detail: 'Sign in again.',
    });
    expect(problemState(stale)).toMatchObject({
      reauthenticate: true,
      error: expect.stringMatching(/sign in again/i),
    });
  });
});

describe('the profile form', () => {
  it('trims the display name and refuses an empty or overlong one', () => {
    expect(profileSchema.parse({ name: '  Ann  ' })).toEqual({ name: 'Ann' });
    expect(profileSchema.safeParse({ name: '   ' }).success).toBe(false);
    expect(profileSchema.safeParse({ name: 'x'.repeat(201) }).success).toBe(false);
  });
});
