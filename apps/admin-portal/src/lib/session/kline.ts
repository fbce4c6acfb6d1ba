import { portalConfig } from '../config.ts';
import { oidc } from '../oidc/client.ts';
import type { StoredSession } from './store.ts';
import { createAccessTokenVerifier, type VerifiedAccess } from './tokens.ts';

// The Markets page's token for kline-service. oauth-service issues one access token per resource (RFC 8707),
// so the portal asks at sign-in for both the admin API and the kline resource (`resource` twice, scope
// `kline:read` among the others); the consent grants `kline:read` only when the user's roles hold that
// permission. The code is redeemed for the admin API token, and the refresh token (which the grant's
// resources cover) is then exchanged for a kline token. Every refresh repeats both exchanges in sequence,
// so the session always holds two fresh, audience-restricted tokens and one current refresh token.
//
// The browser gets only the kline token (GET /admin/markets/token): audience PUBLIC_URL/kline, scope
// kline:read (the portal client is allowed nothing more at kline), lifetime the resource's access token TTL
// (minutes). It needs it in JavaScript because a browser WebSocket cannot carry cookies across to another
// service's authorization or set headers; the refresh token and the admin token never leave the server.
// Refresh tokens rotate: asking for a resource the grant does not name fails only after the presented
// refresh token was consumed, which is why the kline exchange runs only when the sign-in asked for it.

/** The kline exchange's result: the access token and the rotated refresh token. */
export async function exchangeForKline(
  configuration: oidc.Configuration,
  refreshToken: string,
): Promise<{ kline: NonNullable<StoredSession['kline']>; refreshToken: string; scope: string }> {
  const tokens = await oidc.refreshTokenGrant(configuration, refreshToken, {
    resource: portalConfig().klineResource,
  });
  return {
    kline: {
      accessToken: tokens.access_token,
      expiresAt: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 60),
    },
    refreshToken: tokens.refresh_token ?? refreshToken,
    // Empty when the user's roles do not hold kline:read (the grant has no kline scope).
    scope: tokens.scope ?? '',
  };
}

let verifier: ((token: string) => Promise<VerifiedAccess>) | undefined;

/** Verifies a kline token the way kline-service will (issuer, audience PUBLIC_URL/kline, at+jwt, expiry). */
export function verifyKlineToken(token: string): Promise<VerifiedAccess> {
  if (!verifier) {
    const config = portalConfig();
    verifier = createAccessTokenVerifier({
      issuer: config.issuer,
      audience: config.klineResource,
      jwksUrl: `${config.internalOAuthUrl}/oauth/jwks`,
    });
  }
  return verifier(token);
}

/** The kline permissions of a session: the verified kline token's scopes, or none. */
export function klinePermissions(session: StoredSession): Promise<Set<string>> {
  return klinePermissionsWith(session, verifyKlineToken);
}

export async function klinePermissionsWith(
  session: Pick<StoredSession, 'kline' | 'user'>,
  verify: (token: string) => Promise<VerifiedAccess>,
): Promise<Set<string>> {
  if (!session.kline || session.kline.expiresAt <= Date.now() / 1000) return new Set();
  try {
    const verified = await verify(session.kline.accessToken);
    if (verified.sub !== session.user.sub) return new Set();
    // Only kline scopes count from this token, whatever else it might carry.
    return new Set([...verified.permissions].filter((scope) => scope.startsWith('kline:')));
  } catch {
    return new Set();
  }
}
