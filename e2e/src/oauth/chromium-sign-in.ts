// What the Chromium sign-in suites share: the platform with a client of the suite's own, the authorization
// request a client sends (PKCE), the client's code exchange and the ID token's claims, the wait for the
// browser's return to the client, and Chromium's CDP virtual authenticator holding a passkey whose private
// key the test made.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { TempDatabase } from '@platform/db/temp-database';
import { registerClient } from '@platform/oauth-service/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect } from 'vitest';
import { registerConsolePlatform } from '../admin-portal/console-platform.ts';

export const PUBLIC_URL = 'http://localhost:8080';

export interface SignInSuite {
  /** oauth-service's database, for @platform/oauth-service/testing's helpers. */
  oauthEnv(): { DATABASE_URL: string; PUBLIC_URL: string };
  /** The suite's client: first-party, confidential, code flow, `openid`, redirecting to the suite's callback. */
  readonly client: { clientId: string; secret: string | undefined };
  /** A page in a context of its own (no other test's session), screenshotted when its test fails. */
  newPage(): Promise<Page>;
}

/**
 * Registers the platform (registerConsolePlatform) and, once it is up, the suite's client; call it once in a
 * describeEachDialect body.
 */
export function registerSignInSuite(
  temp: () => TempDatabase,
  options: { name: string; clientName: string; callback: string },
): SignInSuite {
  const pages: Page[] = [];
  const platform = registerConsolePlatform(temp, {
    name: options.name,
    pages: () => Object.fromEntries(pages.map((page, index) => [`page-${index}`, page])),
  });
  const oauthEnv = () => ({ DATABASE_URL: platform.oauthDatabaseUrl, PUBLIC_URL });
  let client: SignInSuite['client'] | undefined;
  beforeAll(async () => {
    client = await registerClient(oauthEnv(), {
      name: options.clientName,
      type: 'confidential',
      grantTypes: ['authorization_code'],
      redirectUris: [options.callback],
      scope: ['openid'],
      firstParty: true,
    });
  });
  return {
    oauthEnv,
    get client() {
      if (!client) throw new Error("the sign-in suite's client is read before its beforeAll ran");
      return client;
    },
    async newPage() {
      const context = await platform.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      pages.push(page);
      return page;
    },
  };
}

/** The authorization request of `clientId` with PKCE: its URL and the verifier for the code exchange. */
export function authorization(clientId: string, redirectUri: string, params: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/oauth/authorize', PUBLIC_URL);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }))
    url.searchParams.set(key, value);
  return { url: url.toString(), verifier };
}

/** The claims of the ID token the code in `leftTo` is exchanged for (the client's own token request). */
export async function idTokenClaims(
  client: { clientId: string; secret: string | undefined },
  leftTo: URL,
  verifier: string,
) {
  const response = await fetch(`${PUBLIC_URL}/oauth/token`, {
    method: 'POST',
    headers: {
      // RFC 6749 §2.3.1: both form-encoded before Basic.
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.secret ?? '')}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: leftTo.searchParams.get('code') ?? '',
      redirect_uri: `${leftTo.origin}${leftTo.pathname}`,
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  const { id_token: idToken } = (await response.json()) as { id_token: string };
  return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

/** Resolves with the client's redirect URI (with its query) once the browser is sent there. */
export const arrivalAtClient = (page: Page, redirectUri: string) =>
  page
    .waitForURL((url) => url.href.startsWith(redirectUri), { timeout: 20_000 })
    .then(() => new URL(page.url()));

/** A P-256 key pair: the private key for the virtual authenticator (PKCS#8), the public one as a JWK. */
export function credentialKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    jwk: publicKey.export({ format: 'jwk' }),
  };
}

/** Chromium's virtual authenticator on `page` (CTAP2, resident keys, user verification), empty. */
export async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** Adds Chromium's virtual authenticator holding one credential. */
export async function addVirtualAuthenticator(
  page: Page,
  credential: { id: Buffer; pkcs8: string; userHandle: string },
) {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  // CDP's binary fields are standard base64.
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: credential.id.toString('base64'),
      isResidentCredential: true,
      rpId: new URL(PUBLIC_URL).hostname,
      privateKey: credential.pkcs8,
      userHandle: Buffer.from(credential.userHandle).toString('base64'),
      signCount: 0,
    },
  });
}
