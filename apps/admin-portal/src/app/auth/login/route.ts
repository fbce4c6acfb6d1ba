import { cookies } from 'next/headers';
import { portalConfig } from '../../../lib/config.ts';
import { authorizationParameters, oidc, oidcConfiguration } from '../../../lib/oidc/client.ts';
import { extraResourceIndicators, extraScopes } from '../../../lib/session/resource-tokens.ts';
import { cookieOptions, SIGN_IN_COOKIE, safeReturnTo, sealSignIn } from '../../../lib/session/store.ts';

// Starts sign-in: authorization code + PKCE (S256), with state and nonce, for the admin API resource
// (RFC 8707), for kline-service's resource unless `markets=0` (the retry after oauth-service refused the
// kline resource, e.g. an administrator took kline:read from the portal client: the console must still let
// its administrators in), and for the other platform APIs the console uses (Workflows: flow-service). The
// verifier, state and nonce wait in a sealed, httpOnly, 10-minute cookie scoped to /auth.

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const config = portalConfig();
  const configuration = await oidcConfiguration();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const query = new URL(request.url).searchParams;
  const returnTo = safeReturnTo(query.get('returnTo'));
  const markets = query.get('markets') !== '0';
  const parameters = authorizationParameters(config, markets, {
    redirect_uri: `${config.portalUrl}/auth/callback`,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // oidc-provider grants offline_access (the refresh token behind silent refresh) only with prompt=consent
    // (OpenID Connect Core §11), so the consent page shows at each sign-in.
    prompt: 'consent',
  });
  // The other APIs' resources and scopes (Workflows: flow-service) join the same consent; their tokens are
  // obtained server-side with the refresh token after the code exchange (lib/session/resource-tokens.ts).
  parameters.set('scope', [parameters.get('scope'), ...extraScopes()].join(' '));
  for (const resource of extraResourceIndicators(config)) parameters.append('resource', resource);
  const url = oidc.buildAuthorizationUrl(configuration, parameters);
  const sealed = await sealSignIn({ state, nonce, verifier, returnTo, markets });
  const options = cookieOptions(config, sealed.maxAge);
  (await cookies()).set(SIGN_IN_COOKIE, sealed.value, {
    ...options,
    path: `${options.path.replace(/\/$/, '')}/auth`,
  });
  return new Response(null, { status: 303, headers: { location: url.href, 'cache-control': 'no-store' } });
}
