import { escapeHtml, page } from '../pages/html.ts';

// The pages of a refused or failed upstream sign-in: what happened in plain words and where to go next.

export type UpstreamFailure =
  | 'link_required'
  | 'not_provisioned'
  | 'no_email'
  | 'domain_not_allowed'
  | 'disabled'
  | 'already_linked'
  | 'provider_unavailable'
  | 'expired'
  | 'upstream_failed'
  | 'not_signed_in';

const MESSAGES: Record<UpstreamFailure, (provider: string) => string> = {
  link_required: () =>
    'An account with this email address already exists here. Sign in with your password, then link this sign-in from your account.',
  not_provisioned: (p) =>
    `No account here is linked to your ${p} sign-in, and accounts are not created automatically. Ask your administrator.`,
  no_email: (p) => `${p} did not share an email address, which a new account needs.`,
  domain_not_allowed: () => 'Accounts for your email domain cannot be created here. Ask your administrator.',
  disabled: () => 'This account is disabled. Contact your administrator.',
  already_linked: (p) => `This ${p} sign-in is already linked to another account here.`,
  provider_unavailable: () => 'This sign-in option is not available.',
  expired: () => 'This sign-in attempt has expired or was already used. Start again.',
  upstream_failed: (p) => `Signing in with ${p} did not succeed. Try again, or sign in with your password.`,
  not_signed_in: () => 'Sign in to your account first, then link this sign-in from your account.',
};

/** HTTP status of each failure: policy refusals 403, a stale attempt 400, an unreachable upstream 502. */
export const FAILURE_STATUS: Record<UpstreamFailure, number> = {
  link_required: 403,
  not_provisioned: 403,
  no_email: 403,
  domain_not_allowed: 403,
  disabled: 403,
  already_linked: 409,
  provider_unavailable: 404,
  expired: 400,
  upstream_failed: 400,
  not_signed_in: 401,
};

export interface FailurePageInput {
  failure: UpstreamFailure;
  providerName: string;
  /** The sign-in page to go back to, when the interaction still waits. */
  signInUrl?: string | undefined;
  /** The account console, where a signed-in user links upstream sign-ins. */
  accountUrl?: string | undefined;
}

export function upstreamFailurePage(p: FailurePageInput): string {
  const links = [
    p.signInUrl ? `<a href="${escapeHtml(p.signInUrl)}">Back to sign-in</a>` : '',
    p.accountUrl && (p.failure === 'link_required' || p.failure === 'not_signed_in')
      ? `<a href="${escapeHtml(p.accountUrl)}">Your account</a>`
      : '',
  ].filter(Boolean);
  return page(
    'Sign-in not completed',
    `<h1>Sign-in not completed</h1>
<div class="error" role="alert">${escapeHtml(MESSAGES[p.failure](p.providerName))}</div>
${links.length ? `<p class="links">${links.join(' · ')}</p>` : ''}`,
  );
}
