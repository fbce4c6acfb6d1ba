import { cookies } from 'next/headers';
import type * as client from 'openid-client';
import { type BaseSession, type BaseSignIn, cookieOptions, safeReturnTo } from './cookies.ts';
import { oidc } from './oidc.ts';

// A console's sign-in: `auth/login` starts the authorization code flow with PKCE (S256), state and nonce,
// keeping them in a sealed, httpOnly, 10-minute cookie scoped to the console's /auth; `auth/callback` checks
// state, exchanges the code with the verifier (the client authenticates with its secret), validates the ID
// token (signature, issuer, audience, nonce), lets the console check the access token and build its
// session, and seals that into the session cookie. Failures go to the home page with a readable reason.

type Sealed = { value: string; maxAge: number };

/** The code exchange's answer (tokens and the ID token's claims). */
export type SignInTokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

export interface SignInOptions {
  /** The console's absolute base URL (its basePath included). */
  portalUrl: string;
  signInCookie: string;
  oidcConfiguration(): Promise<client.Configuration>;
  /** The authorization request: the console's scopes and resources around `base` (PKCE, state, nonce…). */
  authorizationParameters(base: Record<string, string>, query: URLSearchParams): URLSearchParams;
  /** Seals the transaction, with any fields of the console's own read from the login URL's `query`. */
  sealSignIn(transaction: BaseSignIn, query: URLSearchParams): Promise<Sealed>;
}

export interface SignInCallbackOptions<S extends BaseSession, T extends BaseSignIn> {
  /** Names the console in its log lines. */
  app: string;
  portalUrl: string;
  /** The resource (RFC 8707) the code is exchanged for. */
  resource: string;
  signInCookie: string;
  sessionCookie: string;
  oidcConfiguration(): Promise<client.Configuration>;
  openSignIn(sealed: string | undefined): Promise<T | null>;
  sealSession(session: S): Promise<Sealed>;
  /** The answer to an error the provider sent back, when it is not a plain failure (null: a failure). */
  onProviderError?(error: string, transaction: T): Response | null;
  /**
   * The session from the checked tokens; null when the access token does not check out (a failure), or a
   * response to answer instead (such as another sign-in).
   */
  session(
    tokens: SignInTokens,
    transaction: T,
    configuration: client.Configuration,
  ): Promise<S | null | Response>;
}

export const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

/** The sign-in transaction cookie's options: the session cookie's, scoped to the console's /auth. */
function signInCookieOptions(portalUrl: string, maxAge: number) {
  const options = cookieOptions({ portalUrl }, maxAge);
  return { ...options, path: `${options.path.replace(/\/$/, '')}/auth` };
}

/** The `GET` handler of a console's `auth/login` route; `options` is read on each request. */
export function signInRoute(options: () => SignInOptions) {
  return async function signIn(request: Request): Promise<Response> {
    const { portalUrl, signInCookie, oidcConfiguration, authorizationParameters, sealSignIn } = options();
    const configuration = await oidcConfiguration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const query = new URL(request.url).searchParams;
    const returnTo = safeReturnTo(query.get('returnTo'));
    const parameters = authorizationParameters(
      {
        redirect_uri: `${portalUrl}/auth/callback`,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        // oidc-provider grants offline_access (the refresh token behind silent refresh) only with
        // prompt=consent (OpenID Connect Core §11).
        prompt: 'consent',
      },
      query,
    );
    const url = oidc.buildAuthorizationUrl(configuration, parameters);
    const sealed = await sealSignIn({ state, nonce, verifier, returnTo }, query);
    (await cookies()).set(signInCookie, sealed.value, signInCookieOptions(portalUrl, sealed.maxAge));
    return seeOther(url.href);
  };
}

/** The code exchanged for tokens: PKCE verifier, state and nonce checked; null without ID token claims. */
async function exchangeCode(
  configuration: client.Configuration,
  portalUrl: string,
  resource: string,
  query: string,
  transaction: BaseSignIn,
): Promise<SignInTokens | null> {
  // The redirect URI as registered (the public one); the request may have reached us on an internal host.
  const currentUrl = new URL(`${portalUrl}/auth/callback${query}`);
  const tokens = await oidc.authorizationCodeGrant(
    configuration,
    currentUrl,
    {
      pkceCodeVerifier: transaction.verifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    },
    { resource },
  );
  return tokens.claims() ? tokens : null;
}

/** The `GET` handler of a console's `auth/callback` route; `options` is read on each request. */
export function signInCallbackRoute<S extends BaseSession, T extends BaseSignIn>(
  options: () => SignInCallbackOptions<S, T>,
) {
  return async function signInCallback(request: Request): Promise<Response> {
    const settings = options();
    const { portalUrl } = settings;
    const jar = await cookies();
    const transaction = await settings.openSignIn(jar.get(settings.signInCookie)?.value);
    jar.delete({ name: settings.signInCookie, path: signInCookieOptions(portalUrl, 0).path });
    const query = new URL(request.url).search;
    const fail = (reason: string) => seeOther(`${portalUrl}/?error=${encodeURIComponent(reason)}`);
    if (!transaction) return fail('sign_in_expired');
    const providerError = new URLSearchParams(query).get('error');
    if (providerError) {
      const answer = settings.onProviderError?.(providerError, transaction);
      return answer ?? fail(providerError === 'access_denied' ? 'access_denied' : 'sign_in_failed');
    }
    try {
      const configuration = await settings.oidcConfiguration();
      const tokens = await exchangeCode(configuration, portalUrl, settings.resource, query, transaction);
      const session = tokens ? await settings.session(tokens, transaction, configuration) : null;
      if (session === null) return fail('sign_in_failed');
      if (session instanceof Response) return session;
      const sealed = await settings.sealSession(session);
      jar.set(settings.sessionCookie, sealed.value, cookieOptions({ portalUrl }, sealed.maxAge));
      return seeOther(`${portalUrl}${transaction.returnTo}`);
    } catch (error) {
      console.error(`${settings.app}: sign-in callback failed:`, (error as Error).message);
      return fail('sign_in_failed');
    }
  };
}
