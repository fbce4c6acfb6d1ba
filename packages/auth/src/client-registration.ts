// What a client may be registered with, per OAuth 2.1 and RFC 9700: the code flow with PKCE, refresh tokens,
// client credentials, the device flow and token exchange (RFC 8693); never implicit or password. Exact redirect URIs only.
// oauth-service enforces these rules (src/clients/client-rules.ts); the console checks the same ones in the
// browser before it submits. This module has no imports, so the console's client bundle can take it.

export const SUPPORTED_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;
export const CONFIDENTIAL_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why a redirect URI is refused, or null when it is acceptable. */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URI';
  }
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (value.includes('*')) return 'must not contain wildcards';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:')
    return LOOPBACK_HOSTS.has(url.hostname) ? null : 'http is allowed only on loopback';
  // Native apps: private-use schemes in reverse-domain form (RFC 8252 §7.1), e.g. com.example.app:/cb
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return null;
  return `scheme ${url.protocol} is not allowed`;
}

/**
 * Why a back-channel logout URI (OIDC Back-Channel Logout) is refused, or null: the redirect URI rules (https,
 * or http on loopback only; no fragment), and only http(s), as the server calls it.
 */
export function backchannelLogoutUriProblem(value: string): string | null {
  const problem = redirectUriProblem(value);
  if (problem) return problem;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:' ? null : `scheme ${protocol} is not allowed`;
}
