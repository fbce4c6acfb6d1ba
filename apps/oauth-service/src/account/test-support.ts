import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import {
  basic,
  bearer,
  completeAuthorization,
  InjectBrowser,
  PASSWORD,
  PUBLIC_URL,
  startAdminHarness,
  type TokenSet,
} from '../admin/test-support.ts';
import { createClientsRepository } from '../clients/clients.repository.ts';
import { createSecretBox } from '../crypto/secret-box.ts';

// Test support for the account API: the admin harness (the real service on a seeded database) plus the
// account console's own sign-in, through the seeded `account-console` client with code + PKCE, as the
// console does it. Tokens are for `${PUBLIC_URL}/api/account` with the `account` scope.

export const ACCOUNT_RESOURCE = `${PUBLIC_URL}/api/account`;
export const CONSOLE = {
  clientId: 'account-console',
  secret: 'account-test-console-secret-0123456789abcdefgh',
  redirectUri: 'http://127.0.0.1:9/account/auth/callback',
};

const FORM = 'application/x-www-form-urlencoded';

/** The `sid` claim of a JWT (its payload is read, not verified: the service just issued it). */
export const sidOf = (jwt: string): string =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).sid as string;

export async function startAccountHarness(url: string, env: Record<string, string> = {}) {
  const h = await startAdminHarness(url, {
    env: { ACCOUNT_CLIENT_SECRET: CONSOLE.secret, ACCOUNT_CONSOLE_URL: 'http://127.0.0.1:9/account', ...env },
  });

  const consoleTokenRequest = (form: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(CONSOLE.clientId, CONSOLE.secret), 'content-type': FORM },
      payload: new URLSearchParams(form).toString(),
    });

  /**
   * Signs `login` in to the account console in `browser` (a new one: a new sign-in session), with `extra`
   * authorization parameters (`max_age: '0'` to sign in again in the same session).
   */
  async function consoleTokens(
    login: string,
    password = PASSWORD,
    browser = new InjectBrowser(h.app),
    extra: Record<string, string> = {},
  ) {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('/oauth/authorize', PUBLIC_URL);
    for (const [key, value] of Object.entries({
      client_id: CONSOLE.clientId,
      response_type: 'code',
      redirect_uri: CONSOLE.redirectUri,
      scope: 'openid profile email offline_access account',
      resource: ACCOUNT_RESOURCE,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: randomBytes(8).toString('hex'),
      // Without prompt=consent the provider drops offline_access (no refresh token); a first-party client
      // is consented without a page either way.
      prompt: 'consent',
      ...extra,
    }))
      authorize.searchParams.set(key, value);
    const first = await browser.follow('GET', authorize.toString());
    const code = await completeAuthorization(browser, { login, password }, first);
    const response = await consoleTokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CONSOLE.redirectUri,
      code_verifier: verifier,
    });
    if (response.statusCode !== 200) throw new Error(`code exchange failed: ${response.payload}`);
    const tokens = response.json() as TokenSet & { id_token: string };
    return { tokens, browser, sid: sidOf(tokens.access_token), auth: bearer(tokens.access_token) };
  }

  /** A user with `roles`, signed in to the account console. */
  async function signedInUser(username: string, roles: string[] = ['user']) {
    const user = await h.createUser(username, roles);
    return { user, ...(await consoleTokens(username)) };
  }

  /** Calls the account API at `path` (below /api/account) with `headers`, sending `body` as JSON. */
  function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<LightMyRequestResponse> {
    return h.app.inject({
      method,
      url: `/api/account${path}`,
      headers,
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  const clientRepository = createClientsRepository(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
  return { ...h, consoleTokens, signedInUser, call, consoleRefresh: consoleTokenRequest, clientRepository };
}

export type AccountHarness = Awaited<ReturnType<typeof startAccountHarness>>;
