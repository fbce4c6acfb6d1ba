import { createOidcConfiguration } from '@platform/web-session';
import { browserForwardingHeaders } from '@platform/web-session/forwarded';
import { type AccountConfig, accountConfig } from '../config.ts';

// The console's OIDC client (@platform/web-session): discovery on oauth-service's internal URL, browser
// endpoints on the public origin.

/** The client configuration, discovered once per process (again after a failure). */
export const oidcConfiguration = createOidcConfiguration(accountConfig, browserForwardingHeaders);

/** Identity, a refresh token (silent refresh), and the account API: nothing else is ever asked for. */
export const ACCOUNT_SCOPES = 'openid profile email offline_access account';

/** The authorization request's parameters: the scopes and the account API resource (RFC 8707). */
export function authorizationParameters(
  config: Pick<AccountConfig, 'accountResource'>,
  rest: Record<string, string>,
): URLSearchParams {
  const params = new URLSearchParams(rest);
  params.set('scope', ACCOUNT_SCOPES);
  params.set('resource', config.accountResource);
  return params;
}
