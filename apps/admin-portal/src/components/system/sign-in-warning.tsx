import { Alert } from '@mantine/core';
import {
  SIGN_IN_FAILURE_WARNING_MIN_ATTEMPTS,
  SIGN_IN_FAILURE_WARNING_RATE,
  type SignInCounts,
  signInFailureWarning,
} from '../../lib/system/sign-in-warning.ts';
import { STATE_BADGE_COLORS } from '../../lib/system/states.ts';
import { AnchorLink } from '../links.tsx';

// The alert's red border and tint mark it; its title takes the text colour, legible in light and dark (the
// alert colour itself is too dark on a dark background).
const TITLE_IN_TEXT_COLOR = { title: { color: 'var(--mantine-color-text)' } };

const percent = (rate: number) => `${Math.round(rate * 100)} %`;

/** An alert when the share of failed sign-ins over `period` is high; nothing otherwise. */
export function SignInFailureAlert({ counts, period }: { counts: SignInCounts; period: string }) {
  const warning = signInFailureWarning(counts);
  if (!warning) return null;
  return (
    <Alert
      color={STATE_BADGE_COLORS.down}
      title="Many sign-ins fail"
      mb="md"
      data-testid="sign-in-warning"
      styles={TITLE_IN_TEXT_COLOR}
    >
      In the {period}, {warning.failed.toLocaleString('en-US')} of {warning.attempts.toLocaleString('en-US')}{' '}
      sign-in attempts failed ({percent(warning.rate)}; this warning shows above{' '}
      {percent(SIGN_IN_FAILURE_WARNING_RATE)} of at least {SIGN_IN_FAILURE_WARNING_MIN_ATTEMPTS} attempts).
      Someone may be guessing passwords: see the{' '}
      <AnchorLink href="/audit?action=login.*&outcome=failure">failed sign-ins in the audit log</AnchorLink>.
    </Alert>
  );
}
