import { sessionUserFrom, sidFrom } from '@platform/web-session';
import { type SignInTokens, seeOther, signInCallbackRoute } from '@platform/web-session/sign-in';
import { portalConfig } from '../../../lib/config.ts';
import { oidc, oidcConfiguration } from '../../../lib/oidc/client.ts';
import { exchangeForKline } from '../../../lib/session/kline.ts';
import { refreshResourceTokens } from '../../../lib/session/resource-tokens.ts';
import {
  openSignIn,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  type SignInTransaction,
  type StoredSession,
  sealSession,
} from '../../../lib/session/store.ts';
import { isJwt, verifyAccessToken } from '../../../lib/session/tokens.ts';

// The redirect back from oauth-service (@platform/web-session/sign-in); a JWT access token must verify and
// name the ID token's user. The console then fetches its other APIs' tokens (Markets, Workflows).

export const dynamic = 'force-dynamic';

type Tokens = SignInTokens;
type Kline = NonNullable<StoredSession['kline']>;

/** Whether the access token belongs to the ID token's user (an opaque one is left to the admin API). */
async function accessTokenMatches(tokens: Tokens): Promise<boolean> {
  if (!isJwt(tokens.access_token)) return true;
  const verified = await verifyAccessToken(tokens.access_token);
  return verified.sub === tokens.claims()?.sub;
}

// Sign in again without the kline resource: the console stays usable (minus Markets) when oauth-service
// refuses it (the portal client is no longer allowed any kline scope).
const signInWithoutMarkets = (transaction: SignInTransaction) =>
  seeOther(
    `${portalConfig().portalUrl}/auth/login?markets=0&returnTo=${encodeURIComponent(transaction.returnTo)}`,
  );

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

/** The session after the code exchange, with the Markets token when the sign-in asked for it. */
async function sessionAfterSignIn(
  tokens: Tokens,
  transaction: SignInTransaction,
  configuration: oidc.Configuration,
): Promise<StoredSession | null | Response> {
  if (!(await accessTokenMatches(tokens))) return null;
  const receivedAt = Math.floor(Date.now() / 1000);
  let refreshToken = tokens.refresh_token;
  let kline: Kline | undefined;
  if (transaction.markets && refreshToken) {
    const exchanged = await klineAtSignIn(configuration, refreshToken);
    if (exchanged === 'refused') return signInWithoutMarkets(transaction);
    ({ refreshToken, kline } = exchanged);
  }
  return sessionFrom(tokens, receivedAt, refreshToken, kline);
}

export const GET = signInCallbackRoute(() => {
  const config = portalConfig();
  return {
    app: 'admin-portal',
    portalUrl: config.portalUrl,
    resource: config.adminResource,
    signInCookie: SIGN_IN_COOKIE,
    sessionCookie: SESSION_COOKIE,
    oidcConfiguration,
    openSignIn,
    sealSession,
    onProviderError: (error, transaction) =>
      error === 'invalid_target' && transaction.markets ? signInWithoutMarkets(transaction) : null,
    session: sessionAfterSignIn,
  };
});
