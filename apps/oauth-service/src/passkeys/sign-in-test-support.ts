import { createHash, randomBytes } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import {
  type AdminHarness,
  exchangeCode,
  InjectBrowser,
  PORTAL,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createPasskeysRepository } from './passkeys.repository.ts';
import { createPasskeyService } from './passkeys.service.ts';
import { SoftwareAuthenticator } from './test-support.ts';

// Drives passkey sign-in through the real service: the portal's authorization request, the sign-in page,
// its options endpoint (JSON, as the page script calls it) and the passkey form post, then the code exchange.

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const action = (html: string, ending: string) =>
  new RegExp(`action="([^"]*/${ending})"`).exec(html)?.[1] ?? '';

export const RP = { id: new URL(PUBLIC_URL).hostname, origin: new URL(PUBLIC_URL).origin };

/** The claims of a JWT (the ID token), unverified: the service that issued it is the one under test. */
export const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

export interface SignInPage {
  browser: InjectBrowser;
  html: string;
  csrf: string;
  uid: string;
  verifier: string;
  headers: Record<string, unknown>;
}

/**
 * The passkey service on the harness's database, as app.ts wires the one the account console registers
 * passkeys through (no rate limit).
 */
export function harnessPasskeyService(
  h: AdminHarness,
  onRegistered?: Parameters<typeof createPasskeyService>[0]['onRegistered'],
) {
  return createPasskeyService({
    repository: createPasskeysRepository(h.db),
    users: h.users,
    limits: {
      takeAddress: () => true,
      recordFailure: async () => false,
      recordSuccess: async () => {},
      count: () => {},
    },
    publicUrl: PUBLIC_URL,
    audit: createAuditLog(h.db),
    ...(onRegistered ? { onRegistered } : {}),
  });
}

export async function startPasskeyHarness(url: string, env: Record<string, string> = {}) {
  const h = await startAdminHarness(url, { env });
  // The account console registers passkeys through this service; the test does the same on the same database.
  const passkeys = harnessPasskeyService(h);

  /** A user with one registered passkey, and the authenticator holding it. */
  async function userWithPasskey(username: string, synced = false, roleNames: string[] = []) {
    const user = await h.createUser(username, roleNames);
    const authenticator = new SoftwareAuthenticator(RP, synced);
    const registered = await passkeys.verifyRegistration(
      user,
      authenticator.register(await passkeys.registrationOptions(user)),
      'Test key',
    );
    if (!registered.ok) throw new Error(`registration failed: ${registered.reason}`);
    return { user, authenticator, passkey: registered.passkey };
  }

  return { h, passkeys, userWithPasskey, ...signInSteps(h) };
}

/** The sign-in page's requests, as a browser with the page script makes them. */
function signInSteps(h: AdminHarness) {
  /** Opens the sign-in page of a new authorization of the portal. */
  async function openSignIn(params: Record<string, string> = {}, address?: string): Promise<SignInPage> {
    const browser = new InjectBrowser(h.app, address);
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('/oauth/authorize', PUBLIC_URL);
    const query = {
      client_id: PORTAL.clientId,
      response_type: 'code',
      redirect_uri: PORTAL.redirectUri,
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'passkey',
      ...params,
    };
    for (const [key, value] of Object.entries(query)) authorize.searchParams.set(key, value);
    const { response } = await browser.follow('GET', authorize.toString());
    const html = response.payload;
    const uid = /\/interaction\/([^/"]+)\/passkey"/.exec(html)?.[1] ?? '';
    return { browser, html, csrf: field(html, 'csrf'), uid, verifier, headers: response.headers };
  }

  /** POST …/passkey/options with a JSON body, as the page script sends it. */
  function requestOptions(page: SignInPage, body: Record<string, unknown> = { csrf: page.csrf }) {
    return h.app.inject({
      method: 'POST',
      url: `/interaction/${page.uid}/passkey/options`,
      headers: {
        host: new URL(PUBLIC_URL).host,
        cookie: [...page.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/json',
      },
      payload: JSON.stringify(body),
    });
  }

  async function options(page: SignInPage): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const response = await requestOptions(page);
    if (response.statusCode !== 200) throw new Error(`options: ${response.statusCode} ${response.payload}`);
    return response.json();
  }

  /** Posts the passkey form; follows on to the client (leftTo) or the page shown. */
  function submit(page: SignInPage, credential: unknown, csrf = page.csrf) {
    const text = typeof credential === 'string' ? credential : JSON.stringify(credential);
    return page.browser.follow('POST', action(page.html, 'passkey'), { csrf, credential: text });
  }

  /** The portal's code exchange: the token response (ID token included). */
  async function exchange(leftTo: URL, verifier: string) {
    const response = await exchangeCode(h.app, leftTo.searchParams.get('code') ?? '', verifier);
    if (response.statusCode !== 200) throw new Error(`exchange: ${response.payload}`);
    return response.json() as { id_token: string };
  }

  return { openSignIn, requestOptions, options, submit, exchange };
}

export type PasskeyHarness = Awaited<ReturnType<typeof startPasskeyHarness>>;
