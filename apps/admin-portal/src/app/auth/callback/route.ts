import { sessionUserFrom, sidFrom } from '@platform/web-session';
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
  type SignInTransaction,
  type StoredSession,
  sealSession,
} from '../../../lib/session/store.ts';
import { isJwt, verifyAccessToken } from '../../../lib/session/tokens.ts';

// The redirect back from oauth-service: checks state, exchanges the code with the PKCE verifier (the client
// authenticates with its secret), validates the ID token (signature, issuer, audience, nonce) and the access
// token, then seals the tokens into the session cookie. Failures go to the home page with a readable reason.

export const dynamic = 'force-dynamic';

type PortalConfig = ReturnType<typeof portalConfig>;
type Tokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
type Kline = NonNullable<StoredSession['kline']>;

const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

/** The code exchanged for tokens (PKCE verifier, state and nonce checked), and the access token verified. */
async function exchangeCode(
  config: PortalConfig,
  configuration: oidc.Configuration,
  query: string,
  transaction: SignInTransaction,
): Promise<Tokens | null> {
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
  if (!claims) return null;
  if (isJwt(tokens.access_token)) {
    const verified = await verifyAccessToken(tokens.access_token);
    if (verified.sub !== claims.sub) return null;
  }
  return tokens;
}

/**
 * The Markets token, exchanged from the refresh token at sign-in: the newest refresh token, and the kline
 * token when the user holds kline:read; 'refused' when oauth-service refused the exchange.
 */
async function klineAtSignIn(
  configuration: oidc.Configuration,
  refreshToken: string,
): Promise<{ refreshToken: string; kline?: Kline } | 'refused'> {
  try {
    const exchanged = await exchangeForKline(configuration, refreshToken);
    // A user whose roles lack kline:read got a token with no scope: no Markets, and no kline exchange at
    // every refresh either.
    return exchanged.scope.split(' ').includes('kline:read')
      ? { refreshToken: exchanged.refreshToken, kline: exchanged.kline }
      : { refreshToken: exchanged.refreshToken };
  } catch (error) {
    if (!(error instanceof oidc.ResponseBodyError)) throw error;
    // The refresh token was consumed by the refused exchange: this grant is spent; start over without it.
    console.error('admin-portal: kline token refused at sign-in:', error.error);
    return 'refused';
  }
}

/** The session to seal: the tokens, the user from the ID token, and the other APIs' tokens (Workflows). */
async function sessionFrom(
  tokens: Tokens,
  receivedAt: number,
  refreshToken: string | undefined,
  kline: Kline | undefined,
) {
  const claims = tokens.claims()!;
  const now = receivedAt;
  return refreshResourceTokens({
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(kline ? { kline, markets: true } : {}),
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    expiresAt: now + (tokens.expires_in ?? 60),
    signedInAt: now,
    user: sessionUserFrom(claims),
    ...sidFrom(claims),
  });
}

export async function GET(request: Request) {
  const config = portalConfig();
  const jar = await cookies();
  const authPath = `${cookieOptions(config, 0).path.replace(/\/$/, '')}/auth`;
  const transaction = await openSignIn(jar.get(SIGN_IN_COOKIE)?.value);
  jar.delete({ name: SIGN_IN_COOKIE, path: authPath });
  const query = new URL(request.url).search;
  const fail = (reason: string) => seeOther(`${config.portalUrl}/?error=${encodeURIComponent(reason)}`);
  if (!transaction) return fail('sign_in_expired');
  // Sign in again without the kline resource: the console stays usable (minus Markets) when oauth-service
  // refuses it (the portal client is no longer allowed any kline scope).
  const withoutMarkets = () =>
    seeOther(`${config.portalUrl}/auth/login?markets=0&returnTo=${encodeURIComponent(transaction.returnTo)}`);
  const providerError = new URLSearchParams(query).get('error');
  if (providerError === 'invalid_target' && transaction.markets) return withoutMarkets();
  if (providerError) return fail(providerError === 'access_denied' ? 'access_denied' : 'sign_in_failed');

  try {
    const configuration = await oidcConfiguration();
    const tokens = await exchangeCode(config, configuration, query, transaction);
    if (!tokens) return fail('sign_in_failed');
    const receivedAt = Math.floor(Date.now() / 1000);
    let refreshToken = tokens.refresh_token;
    let kline: Kline | undefined;
    if (transaction.markets && refreshToken) {
      const exchanged = await klineAtSignIn(configuration, refreshToken);
      if (exchanged === 'refused') return withoutMarkets();
      ({ refreshToken, kline } = exchanged);
    }
    const sealed = await sealSession(await sessionFrom(tokens, receivedAt, refreshToken, kline));
    jar.set(SESSION_COOKIE, sealed.value, cookieOptions(config, sealed.maxAge));
    return seeOther(`${config.portalUrl}${transaction.returnTo}`);
  } catch (error) {
    console.error('admin-portal: sign-in callback failed:', (error as Error).message);
    return fail('sign_in_failed');
  }
}
