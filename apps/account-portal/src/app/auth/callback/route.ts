import { cookieOptions, oidc, sessionUserFrom } from '@platform/web-session';
import { cookies } from 'next/headers';
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

// The redirect back from oauth-service: checks state, exchanges the code with the PKCE verifier (the client
// authenticates with its secret), validates the ID token (signature, issuer, audience, nonce) and the access
// token (the account API's, with the `account` scope, for the same user), then seals the tokens into the
// session cookie. Failures go to the home page with a readable reason.

export const dynamic = 'force-dynamic';

const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

/** The session from the code, or null when a token does not check out. */
async function exchangeCode(query: string, transaction: NonNullable<Awaited<ReturnType<typeof openSignIn>>>) {
  const config = accountConfig();
  // The redirect URI as registered (the public one); the request may have reached us on an internal host.
  const currentUrl = new URL(`${config.portalUrl}/auth/callback${query}`);
  const tokens = await oidc.authorizationCodeGrant(
    await oidcConfiguration(),
    currentUrl,
    {
      pkceCodeVerifier: transaction.verifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    },
    { resource: config.accountResource },
  );
  const claims = tokens.claims();
  if (!claims || !(await accountTokenOf(claims.sub, tokens.access_token))) return null;
  const now = Math.floor(Date.now() / 1000);
  const session: StoredSession = {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
    expiresAt: now + (tokens.expires_in ?? 60),
    signedInAt: now,
    user: sessionUserFrom(claims),
  };
  return session;
}

export async function GET(request: Request) {
  const config = accountConfig();
  const jar = await cookies();
  const authPath = `${cookieOptions(config, 0).path.replace(/\/$/, '')}/auth`;
  const transaction = await openSignIn(jar.get(SIGN_IN_COOKIE)?.value);
  jar.delete({ name: SIGN_IN_COOKIE, path: authPath });
  const query = new URL(request.url).search;
  const fail = (reason: string) => seeOther(`${config.portalUrl}/?error=${encodeURIComponent(reason)}`);
  if (!transaction) return fail('sign_in_expired');
  const providerError = new URLSearchParams(query).get('error');
  if (providerError) return fail(providerError === 'access_denied' ? 'access_denied' : 'sign_in_failed');
  try {
    const session = await exchangeCode(query, transaction);
    if (!session) return fail('sign_in_failed');
    const sealed = await sealSession(session);
    jar.set(SESSION_COOKIE, sealed.value, cookieOptions(config, sealed.maxAge));
    return seeOther(`${config.portalUrl}${transaction.returnTo}`);
  } catch (error) {
    console.error('account-portal: sign-in callback failed:', (error as Error).message);
    return fail('sign_in_failed');
  }
}
