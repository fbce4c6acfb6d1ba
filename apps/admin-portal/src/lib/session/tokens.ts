import { createRemoteJWKSet, jwtVerify } from 'jose';
import { permissionsFromScope } from '../access/permissions.ts';
import { portalConfig } from '../config.ts';

// The access token is verified, not decoded: signature against the issuer's JWKS (fetched from
// oauth-service's internal URL and cached by jose), issuer, audience (the admin API), type (RFC 9068
// `at+jwt`) and expiry. Only then do its scopes count as the user's permissions.

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

function keySet() {
  jwks ??= createRemoteJWKSet(new URL(`${portalConfig().internalOAuthUrl}/oauth/jwks`), {
    // A rotated-in key is learned as soon as a token names it.
    cooldownDuration: 5_000,
    timeoutDuration: 5_000,
  });
  return jwks;
}

export interface VerifiedAccess {
  sub: string;
  permissions: Set<string>;
}

/** Permissions of a verified access token; throws when the token is not a valid one for the admin API. */
export async function verifyAccessToken(token: string): Promise<VerifiedAccess> {
  const config = portalConfig();
  const { payload } = await jwtVerify(token, keySet(), {
    issuer: config.issuer,
    audience: config.adminResource,
    typ: 'at+jwt',
    algorithms: ['ES256', 'EdDSA', 'PS256', 'RS256'],
    clockTolerance: 5,
  });
  if (!payload.sub) throw new Error('access token without sub');
  return { sub: payload.sub, permissions: permissionsFromScope(payload.scope) };
}

/** RFC 9068 JWTs have three dot-separated parts; an opaque token (no admin scope granted) has none. */
export const isJwt = (token: string) => token.split('.').length === 3;
