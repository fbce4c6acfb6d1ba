import { type AccessTokenVerifier, createAccessTokenVerifier } from '@platform/web-session';
import { portalConfig } from '../config.ts';

// The admin API token's verification (@platform/web-session: signature, issuer, audience, type, expiry).

export {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  isJwt,
  REFRESH_MARGIN_SECONDS,
  refreshDue,
  type VerifiedAccess,
} from '@platform/web-session';

let verifier: AccessTokenVerifier | undefined;

/** Permissions of a verified access token; throws when the token is not a valid one for the admin API. */
export function verifyAccessToken(token: string) {
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
