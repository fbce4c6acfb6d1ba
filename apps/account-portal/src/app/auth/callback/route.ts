import { sessionUserFrom, sidFrom } from '@platform/web-session';
import { type SignInTokens, signInCallbackRoute } from '@platform/web-session/sign-in';
import { accountConfig } from '../../../lib/config.ts';
import { accountTokenOf } from '../../../lib/session/current.ts';
import { oidcConfiguration } from '../../../lib/session/oidc.ts';
import {
  openSignIn,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  type StoredSession,
  sealSession,
} from '../../../lib/session/store.ts';

// The redirect back from oauth-service (@platform/web-session/sign-in); the access token must be the
// account API's, with the `account` scope, for the same user.

export const dynamic = 'force-dynamic';

/** The session from the tokens, or null when the access token does not check out. */
async function sessionFrom(tokens: SignInTokens): Promise<StoredSession | null> {
  const claims = tokens.claims();
  if (!claims || !(await accountTokenOf(claims.sub, tokens.access_token))) return null;
  const now = Math.floor(Date.now() / 1000);
  const session: StoredSession = {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    ...sidFrom(claims),
    expiresAt: now + (tokens.expires_in ?? 60),
    signedInAt: now,
    user: sessionUserFrom(claims),
  };
  return session;
}

export const GET = signInCallbackRoute(() => {
  const config = accountConfig();
  return {
    app: 'account-portal',
    portalUrl: config.portalUrl,
    resource: config.accountResource,
    signInCookie: SIGN_IN_COOKIE,
    sessionCookie: SESSION_COOKIE,
    oidcConfiguration,
    openSignIn,
    sealSession,
    session: sessionFrom,
  };
});
