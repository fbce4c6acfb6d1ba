import { describe, expect, it } from 'vitest';
import { actionLabel } from './events.ts';

describe('security event labels', () => {
  it('drop the audit namespace and read as words', () => {
    expect(actionLabel('user.password_change')).toBe('password change');
    expect(actionLabel('session.end')).toBe('end');
    expect(actionLabel('sign_in')).toBe('sign in');
  });
});
