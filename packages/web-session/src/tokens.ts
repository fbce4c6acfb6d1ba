import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

// An access token is verified, not decoded: signature against the token issuer's JWKS (fetched from
// oauth-service's internal URL and cached by jose), issuer, audience (the API the console calls), type
// (RFC 9068 `at+jwt`), algorithm (asymmetric only) and expiry. Only then do its scopes count as the user's
// permissions.

export interface VerifiedAccess {
  sub: string;
  /** The token's scopes. */
  permissions: Set<string>;
}

export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccess>;

/** The scopes of a token's `scope` claim (a space-separated string; anything else: none). */
export function scopesOf(scope: unknown): Set<string> {
  if (typeof scope !== 'string') return new Set();
  return new Set(scope.split(' ').filter(Boolean));
}

export function createAccessTokenVerifier(options: {
  issuer: string;
  audience: string;
  jwksUrl: string;
}): AccessTokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    // A rotated-in key is learned as soon as a token names it.
    cooldownDuration: 5_000,
    timeoutDuration: 5_000,
  });
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ['ES256', 'EdDSA', 'PS256', 'RS256'],
      clockTolerance: 5,
    });
    if (!payload.sub) throw new Error('access token without sub');
    return { sub: payload.sub, permissions: scopesOf(payload.scope) };
  };
}

/** RFC 9068 JWTs have three dot-separated parts; an opaque token (no scope of the resource granted) has none. */
export const isJwt = (token: string) => token.split('.').length === 3;

/** Refresh a token this long before it expires, so a page never starts with a token about to lapse. */
export const REFRESH_MARGIN_SECONDS = 30;

/**
 * Whether a token is due for refresh: within REFRESH_MARGIN_SECONDS of expiry, or within half its lifetime
 * for a token that lives less than twice the margin (an administrator may set an API's token lifetime as low
 * as 30 s; a 30 s margin would refresh, and rotate the refresh token, on every request). The lifetime comes
 * from the JWT's own `iat`, read without verification: it only decides when to refresh, and the token came
 * straight from oauth-service's token endpoint. Opaque tokens get the full margin.
 */
export function refreshDue(
  token: { accessToken: string; expiresAt: number },
  now = Date.now() / 1000,
): boolean {
  const lifetime = token.expiresAt - (issuedAt(token.accessToken) ?? Number.NEGATIVE_INFINITY);
  return token.expiresAt - now < Math.min(REFRESH_MARGIN_SECONDS, lifetime / 2);
}

function issuedAt(token: string): number | undefined {
  if (!isJwt(token)) return undefined;
  try {
    const { iat } = decodeJwt(token);
    return typeof iat === 'number' ? iat : undefined;
  } catch {
    return undefined;
  }
}
