import * as oidc from 'openid-client';
import { type PortalConfig, portalConfig } from '../config.ts';

// The portal is a confidential OAuth client (client_secret_basic) using the authorization code flow with
// PKCE. The browser goes to the public authorization and end-session endpoints (through the gateway);
// every server-to-server call (token, introspection, revocation, JWKS) goes to oauth-service's internal
// URL, so the portal does not depend on the gateway to talk to its own identity provider.

const SERVER_TO_SERVER = [
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'pushed_authorization_request_endpoint',
] as const;
const BROWSER = ['authorization_endpoint', 'end_session_endpoint'] as const;

/**
 * The provider metadata as the portal uses it: server-to-server endpoints on the internal URL, browser
 * endpoints on the public origin. oauth-service builds endpoint URLs from the host it was reached on (it
 * trusts X-Forwarded-* behind the gateway), so both are rebuilt from their paths; the token issuer must match.
 */
export function internalMetadata(
  metadata: oidc.ServerMetadata,
  config: Pick<PortalConfig, 'issuer' | 'internalOAuthUrl'>,
): oidc.ServerMetadata {
  if (metadata.issuer !== config.issuer) {
    throw new Error(`oauth-service announces issuer ${metadata.issuer}, expected ${config.issuer}`);
  }
  const publicOrigin = new URL(config.issuer).origin;
  const moved: Record<string, unknown> = { ...metadata };
  const rebase = (keys: readonly string[], base: string) => {
    for (const key of keys) {
      const url = moved[key];
      if (typeof url !== 'string') continue;
      const { pathname, search } = new URL(url);
      moved[key] = `${base}${pathname}${search}`;
    }
  };
  rebase(SERVER_TO_SERVER, config.internalOAuthUrl);
  rebase(BROWSER, publicOrigin);
  return moved as oidc.ServerMetadata;
}

let pending: Promise<oidc.Configuration> | undefined;

async function load(): Promise<oidc.Configuration> {
  const config = portalConfig();
  const response = await fetch(`${config.internalOAuthUrl}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`oauth-service discovery answered ${response.status}`);
  const metadata = internalMetadata((await response.json()) as oidc.ServerMetadata, config);
  const configuration = new oidc.Configuration(
    metadata,
    config.clientId,
    undefined,
    oidc.ClientSecretBasic(config.clientSecret),
  );
  // Internal calls are plain HTTP on a private network in development (loopback); the public endpoints
  // keep whatever scheme PUBLIC_URL has.
  if (config.internalOAuthUrl.startsWith('http:') || config.issuer.startsWith('http:')) {
    oidc.allowInsecureRequests(configuration);
  }
  return configuration;
}

/** The client configuration, discovered once per process (again after a failure). */
export function oidcConfiguration(): Promise<oidc.Configuration> {
  pending ??= load().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

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
