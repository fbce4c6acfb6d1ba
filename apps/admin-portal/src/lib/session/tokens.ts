import { createRemoteJWKSet, jwtVerify } from 'jose';
import { permissionsFromScope } from '../access/permissions.ts';
import { portalConfig } from '../config.ts';

// The access token is verified, not decoded: signature against the issuer's JWKS (fetched from
// oauth-service's internal URL and cached by jose), issuer, audience (the admin API), type (RFC 9068
// `at+jwt`), algorithm (asymmetric only) and expiry. Only then do its scopes count as the user's permissions.

export interface VerifiedAccess {
  sub: string;
  permissions: Set<string>;
}

export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccess>;

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
    return { sub: payload.sub, permissions: permissionsFromScope(payload.scope) };
  };
}

let verifier: AccessTokenVerifier | undefined;

/** Permissions of a verified access token; throws when the token is not a valid one for the admin API. */
export function verifyAccessToken(token: string): Promise<VerifiedAccess> {
  if (!verifier) {
    const config = portalConfig();
    verifier = createAccessTokenVerifier({
      issuer: config.issuer,
      audience: config.adminResource,
      jwksUrl: `${config.internalOAuthUrl}/oauth/jwks`,
    });
  }
  return verifier(token);
}

/** RFC 9068 JWTs have three dot-separated parts; an opaque token (no admin scope granted) has none. */
export const isJwt = (token: string) => token.split('.').length === 3;
