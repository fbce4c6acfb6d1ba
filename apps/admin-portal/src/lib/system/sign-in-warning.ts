// When the share of failed sign-ins deserves an operator's look: more than a fifth of the attempts failed,
// over enough attempts that a few typos on a quiet day do not raise it.

export const SIGN_IN_FAILURE_WARNING_RATE = 0.2;
export const SIGN_IN_FAILURE_WARNING_MIN_ATTEMPTS = 20;

export interface SignInCounts {
  sign_ins_succeeded: number;
  sign_ins_failed: number;
}

export interface SignInWarning {
  failed: number;
  attempts: number;
  /** 0 to 1. */
  rate: number;
}

/** The warning to show for these counts, or null when the failure rate is unremarkable. */
export function signInFailureWarning(counts: SignInCounts): SignInWarning | null {
  const failed = counts.sign_ins_failed;
  const attempts = failed + counts.sign_ins_succeeded;
  if (attempts < SIGN_IN_FAILURE_WARNING_MIN_ATTEMPTS) return null;
  const rate = failed / attempts;
  return rate > SIGN_IN_FAILURE_WARNING_RATE ? { failed, attempts, rate } : null;
}
