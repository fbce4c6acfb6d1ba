import { createHash, randomBytes } from 'node:crypto';
import {
  type AdminHarness,
  basic,
  completeAuthorization,
  InjectBrowser,
  PORTAL,
  PUBLIC_URL,
} from '../admin/test-support.ts';

// Tokens the admin harness does not hand out: an opaque access token, which the provider issues for an
// authorization without a resource indicator (only usable at userinfo).

/** The portal's code flow for `scope` without `resource`: the token response, its access token opaque. */
export async function opaqueUserTokens(
  h: AdminHarness,
  credentials: { login: string; password: string },
  scope = 'openid',
): Promise<{ access_token: string; refresh_token?: string }> {
  const browser = new InjectBrowser(h.app);
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('/oauth/authorize', PUBLIC_URL);
  for (const [key, value] of Object.entries({
    client_id: PORTAL.clientId,
    response_type: 'code',
    redirect_uri: PORTAL.redirectUri,
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  }))
    authorize.searchParams.set(key, value);
  const code = await completeAuthorization(
    browser,
    credentials,
    await browser.follow('GET', authorize.toString()),
  );
  const response = await h.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      authorization: basic(PORTAL.clientId, PORTAL.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: PORTAL.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (response.statusCode !== 200) throw new Error(`code exchange failed: ${response.payload}`);
  return response.json();
}
