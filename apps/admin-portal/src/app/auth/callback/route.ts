import { cookies } from 'next/headers';
import { portalConfig } from '../../../lib/config.ts';
import { oidc, oidcConfiguration } from '../../../lib/oidc/client.ts';
import { exchangeForKline } from '../../../lib/session/kline.ts';
import { refreshResourceTokens } from '../../../lib/session/resource-tokens.ts';
import {
  cookieOptions,
  openSignIn,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  sealSession,
} from '../../../lib/session/store.ts';
import { isJwt, verifyAccessToken } from '../../../lib/session/tokens.ts';

// The redirect back from oauth-service: checks state, exchanges the code with the PKCE verifier (the client
// authenticates with its secret), validates the ID token (signature, issuer, audience, nonce) and the access
// token, then seals the tokens into the session cookie. Failures go to the home page with a readable reason.

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const config = portalConfig();
  const jar = await cookies();
  const authPath = `${cookieOptions(config, 0).path.replace(/\/$/, '')}/auth`;
  const transaction = await openSignIn(jar.get(SIGN_IN_COOKIE)?.value);
  jar.delete({ name: SIGN_IN_COOKIE, path: authPath });
  const query = new URL(request.url).search;
  const fail = (reason: string) =>
    new Response(null, {
      status: 303,
      headers: {
        location: `${config.portalUrl}/?error=${encodeURIComponent(reason)}`,
        'cache-control': 'no-store',
      },
    });
  if (!transaction) return fail('sign_in_expired');
  // Sign in again without the kline resource: the console stays usable (minus Markets) when oauth-service
  // refuses it (the portal client is no longer allowed any kline scope).
  const withoutMarkets = () =>
    new Response(null, {
      status: 303,
      headers: {
        location: `${config.portalUrl}/auth/login?markets=0&returnTo=${encodeURIComponent(transaction.returnTo)}`,
        'cache-control': 'no-store',
      },
    });
  const providerError = new URLSearchParams(query).get('error');
  if (providerError === 'invalid_target' && transaction.markets) return withoutMarkets();
  if (providerError) return fail(providerError === 'access_denied' ? 'access_denied' : 'sign_in_failed');

  try {
    const configuration = await oidcConfiguration();
    // The redirect URI as registered (the public one); the request may have reached us on an internal host.
    const currentUrl = new URL(`${config.portalUrl}/auth/callback${query}`);
    const tokens = await oidc.authorizationCodeGrant(
      configuration,
      currentUrl,
      {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      },
      { resource: config.adminResource },
    );
    const claims = tokens.claims();
    if (!claims) return fail('sign_in_failed');
    if (isJwt(tokens.access_token)) {
      const verified = await verifyAccessToken(tokens.access_token);
      if (verified.sub !== claims.sub) return fail('sign_in_failed');
    }
    const now = Math.floor(Date.now() / 1000);
    let refreshToken = tokens.refresh_token;
    let kline: Awaited<ReturnType<typeof exchangeForKline>>['kline'] | undefined;
    if (transaction.markets && refreshToken) {
      try {
        const exchanged = await exchangeForKline(configuration, refreshToken);
        refreshToken = exchanged.refreshToken;
        // A user whose roles lack kline:read got a token with no scope: no Markets, and no kline exchange at
        // every refresh either.
        if (exchanged.scope.split(' ').includes('kline:read')) kline = exchanged.kline;
      } catch (error) {
        if (!(error instanceof oidc.ResponseBodyError)) throw error;
        // The refresh token was consumed by the refused exchange: this grant is spent; start over without it.
        console.error('admin-portal: kline token refused at sign-in:', error.error);
        return withoutMarkets();
      }
    }
    // The other APIs' tokens (Workflows: flow-service) right away, with the newest refresh token.
    const session = await refreshResourceTokens({
      accessToken: tokens.access_token,
      ...(refreshToken ? { refreshToken } : {}),
      ...(kline ? { kline, markets: true } : {}),
      ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
      expiresAt: now + (tokens.expires_in ?? 60),
      signedInAt: now,
      user: {
        sub: claims.sub,
        username: String(claims.preferred_username ?? claims.sub),
        name: String(claims.name ?? claims.preferred_username ?? ''),
        email: String(claims.email ?? ''),
      },
    });
    const sealed = await sealSession(session);
    jar.set(SESSION_COOKIE, sealed.value, cookieOptions(config, sealed.maxAge));
    return new Response(null, {
      status: 303,
      headers: { location: `${config.portalUrl}${transaction.returnTo}`, 'cache-control': 'no-store' },
    });
  } catch (error) {
    console.error('admin-portal: sign-in callback failed:', (error as Error).message);
    return fail('sign_in_failed');
  }
}
