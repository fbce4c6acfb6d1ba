import { createOidcConfiguration, oidc } from '@platform/web-session';
import { browserForwardingHeaders } from '@platform/web-session/forwarded';
import { portalConfig } from '../config.ts';

// The portal's OIDC client (@platform/web-session: discovery on the internal URL, browser endpoints on the
// public origin), and the authorization request's scopes and resources, which are the admin console's own.

/** The client configuration, discovered once per process (again after a failure). */
export const oidcConfiguration = createOidcConfiguration(portalConfig, browserForwardingHeaders);

/** Scopes the portal asks for: identity, a refresh token, and the admin API (others: resource-tokens.ts). */
export const PORTAL_SCOPES = 'openid profile email offline_access admin:read admin:write';
/** Added when the sign-in also asks for the kline resource (the Markets page, lib/session/kline.ts). */
export const MARKETS_SCOPES = 'kline:read';

/**
 * The authorization request's parameters: the admin API resource, and the kline resource with `kline:read`
 * when `markets` (RFC 8707 allows `resource` more than once; the tokens are then requested one resource at a
 * time). oauth-service grants only the scopes the user's roles hold, so asking costs a user without
 * kline:read nothing: their grant simply has no kline scope.
 */
export function authorizationParameters(
  config: { adminResource: string; klineResource: string },
  markets: boolean,
  rest: Record<string, string>,
): URLSearchParams {
  const params = new URLSearchParams(rest);
  params.set('scope', markets ? `${PORTAL_SCOPES} ${MARKETS_SCOPES}` : PORTAL_SCOPES);
  params.append('resource', config.adminResource);
  if (markets) params.append('resource', config.klineResource);
  return params;
}

export { oidc };
