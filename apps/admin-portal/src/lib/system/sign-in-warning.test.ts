import { describe, expect, it } from 'vitest';
import { signInFailureWarning } from './sign-in-warning.ts';

describe('the sign-in failure warning', () => {
  const counts = (succeeded: number, failed: number) => ({
    sign_ins_succeeded: succeeded,
    sign_ins_failed: failed,
  });

  it('warns when more than a fifth of at least 20 attempts failed', () => {
    expect(signInFailureWarning(counts(23, 175))).toEqual({ failed: 175, attempts: 198, rate: 175 / 198 });
    expect(signInFailureWarning(counts(15, 5))).toEqual({ failed: 5, attempts: 20, rate: 0.25 });
  });

  it('stays quiet at exactly a fifth, below it, and over fewer than 20 attempts', () => {
    expect(signInFailureWarning(counts(16, 4))).toBeNull();
    expect(signInFailureWarning(counts(100, 3))).toBeNull();
    expect(signInFailureWarning(counts(0, 19))).toBeNull();
    expect(signInFailureWarning(counts(0, 0))).toBeNull();
  });
});
