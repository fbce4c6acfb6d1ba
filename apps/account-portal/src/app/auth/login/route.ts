import { cookieOptions, oidc, safeReturnTo } from '@platform/web-session';
import { cookies } from 'next/headers';
import { accountConfig } from '../../../lib/config.ts';
import { authorizationParameters, oidcConfiguration } from '../../../lib/session/oidc.ts';
import { SIGN_IN_COOKIE, sealSignIn } from '../../../lib/session/store.ts';

// Starts sign-in: authorization code + PKCE (S256), with state and nonce, for the account API resource
// (RFC 8707). The verifier, state and nonce wait in a sealed, httpOnly, 10-minute cookie scoped to /auth.

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const config = accountConfig();
  const configuration = await oidcConfiguration();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const returnTo = safeReturnTo(new URL(request.url).searchParams.get('returnTo'));
  const parameters = authorizationParameters(config, {
    redirect_uri: `${config.portalUrl}/auth/callback`,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // oidc-provider grants offline_access (the refresh token behind silent refresh) only with prompt=consent
    // (OpenID Connect Core §11); the console is first-party, so no consent page shows.
    prompt: 'consent',
  });
  const url = oidc.buildAuthorizationUrl(configuration, parameters);
  const sealed = await sealSignIn({ state, nonce, verifier, returnTo });
  const options = cookieOptions(config, sealed.maxAge);
  (await cookies()).set(SIGN_IN_COOKIE, sealed.value, {
    ...options,
    path: `${options.path.replace(/\/$/, '')}/auth`,
  });
  return new Response(null, { status: 303, headers: { location: url.href, 'cache-control': 'no-store' } });
}
