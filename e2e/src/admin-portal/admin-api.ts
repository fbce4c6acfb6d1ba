import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { Browser, formAction, hiddenField } from '../oauth/browser.ts';

// The admin API from a browser test: the admin's token through the admin console's own client, and
// authorization requests with a fresh PKCE pair.

const ORIGIN = 'http://localhost:8080';
const CONSOLE_CALLBACK = `${ORIGIN}/admin/auth/callback`;

/** An authorization request URL with a fresh PKCE pair: returns both. */
export function authorizationRequest(params: Record<string, string>) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${ORIGIN}/oauth/authorize`);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    ...params,
  }))
    url.searchParams.set(key, value);
  return { url: url.toString(), verifier };
}

/**
 * The admin's admin API token, through the console client's own code flow over plain HTTP (a sign-in of its
 * own, stopped at the redirect back to the console): the way to call the admin API from a test.
 */
export async function adminApiToken(login: string, password: string, portalSecret: string): Promise<string> {
  const http = new Browser();
  const request = authorizationRequest({
    client_id: 'admin-portal',
    redirect_uri: CONSOLE_CALLBACK,
    scope: 'openid admin:read admin:write',
    resource: `${ORIGIN}/api/admin`,
  });
  let response = await http.request(request.url);
  let code: string | null = null;
  for (let step = 0; step < 12 && !code; step += 1) {
    if (response.location?.startsWith(`${CONSOLE_CALLBACK}?`)) {
      code = new URL(response.location).searchParams.get('code');
    } else if (response.location) {
      response = await http.request(response.location);
    } else if (response.body.includes('id="login"')) {
      response = await http.request(formAction(response.body, response.url, '/login'), {
        form: { csrf: hiddenField(response.body, 'csrf'), login, password },
      });
    } else {
      throw new Error(
        `unexpected page on the console's sign-in (${response.status}): ${response.body.slice(0, 300)}`,
      );
    }
  }
  expect(code).toEqual(expect.any(String));
  const token = await fetch(`${ORIGIN}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`admin-portal:${encodeURIComponent(portalSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: CONSOLE_CALLBACK,
      code_verifier: request.verifier,
    }),
  });
  expect(token.status).toBe(200);
  return ((await token.json()) as { access_token: string }).access_token;
}
