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

/** The admin API, called with the admin's token: the JSON answer (undefined for 204); throws on an error. */
export async function adminCall<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${ORIGIN}/api/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A user created through the admin API from `user` (the request body), holding the role `role`: their id. */
export async function createUserWithRole(token: string, user: Record<string, unknown>, role: string) {
  const created = await adminCall<{ id: string }>(token, 'POST', '/users', user);
  const roles = await adminCall<{ items: Array<{ id: string; name: string }> }>(token, 'GET', '/roles');
  const held = roles.items.find((entry) => entry.name === role);
  if (!held) throw new Error(`no role named ${role}`);
  await adminCall(token, 'PUT', `/users/${created.id}/roles/${held.id}`);
  return created.id;
}

/** A client registered through the admin API from `client` (the request body): its id and secret. */
export async function createClient(token: string, client: Record<string, unknown>) {
  const created = await adminCall<{ client_id: string; client_secret: string }>(
    token,
    'POST',
    '/clients',
    client,
  );
  return { id: created.client_id, secret: created.client_secret };
}
