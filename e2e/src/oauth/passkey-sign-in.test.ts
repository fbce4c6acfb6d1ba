// Passwordless sign-in with a passkey in real Chromium, through the gateway, on the platform started as the
// README starts it. Chromium's CDP virtual authenticator (CTAP2, resident keys, user verification) holds a
// credential whose private key the test made; the same credential's public key is stored for the user the
// way the passkey service stores a verified registration. The user clicks "Use a passkey", the page script
// and the authenticator do the rest, and the ID token's `amr` says how they signed in.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import { createUserWithPasskey, registerClient } from '@platform/oauth-service/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { launchChromium, saveScreenshots } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import { acquireFixedPorts } from '../fixed-ports-lock.ts';
import { type PlatformProcess, startPlatform } from '../platform-process.ts';

const PUBLIC_URL = 'http://localhost:8080';
// Never served (the gateway answers it with the console's 404 page): the test reads the code from the URL.
const CALLBACK = `${PUBLIC_URL}/passkey-e2e/callback`;

/** A P-256 key pair: the private key for the virtual authenticator (PKCS#8), the public one as a JWK. */
function credentialKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    jwk: publicKey.export({ format: 'jwk' }),
  };
}

/** Adds Chromium's virtual authenticator to the page, holding one resident credential. */
async function virtualAuthenticator(
  page: Page,
  credential: { id: Buffer; pkcs8: string; userHandle: string },
) {
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
  return { cdp, authenticatorId };
}

/** The authorization request of `clientId` with PKCE: its URL and the verifier for the code exchange. */
function authorization(clientId: string, state: string) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/oauth/authorize', PUBLIC_URL);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(key, value);
  return { url: url.toString(), verifier };
}

/** The claims of the ID token the code in `leftTo` is exchanged for (the client's own token request). */
async function idTokenClaims(
  client: { clientId: string; secret: string | undefined },
  leftTo: URL,
  verifier: string,
) {
  const response = await fetch(`${PUBLIC_URL}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: leftTo.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  const { id_token: idToken } = (await response.json()) as { id_token: string };
  return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

/** Resolves with the client's redirect URI once the browser is sent there. */
const arrivalAtClient = (page: Page) =>
  page
    .waitForURL((url) => url.href.startsWith(CALLBACK), { timeout: 20_000 })
    .then(() => new URL(page.url()));

describeEachDialect('passkey sign-in in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  let releasePorts: (() => void) | undefined;
  let dataDir: string;
  let oauthDb: TempDatabase | undefined;
  let platform: PlatformProcess | undefined;
  let browser: Browser | undefined;
  let client: { clientId: string; secret: string | undefined };
  const pages: Page[] = [];

  const oauthEnv = () => ({
    DATABASE_URL: oauthDb?.url ?? `file:${join(dataDir, 'oauth-service.db')}`,
    PUBLIC_URL,
  });

  beforeAll(async () => {
    releasePorts = await acquireFixedPorts();
    dataDir = mkdtempSync(join(tmpdir(), 'passkey-e2e-'));
    if (temp().dialect === 'postgres') oauthDb = await createTempDatabase('postgres');
    platform = startPlatform({
      PLATFORM_DATA_DIR: dataDir,
      RUST_LOG: 'error',
      ...(oauthDb ? { TEST_SERVICE_DATABASE_URL: temp().url, OAUTH_SERVICE_DATABASE_URL: oauthDb.url } : {}),
    });
    await platform.waitFor(/Press Ctrl-C to stop/, 10 * 60_000);
    client = await registerClient(oauthEnv(), {
      name: 'Passkey e2e',
      type: 'confidential',
      grantTypes: ['authorization_code'],
      redirectUris: [CALLBACK],
      scope: ['openid'],
      firstParty: true,
    });
    browser = await launchChromium();
  }, 16 * 60_000);

  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail') return;
    await saveScreenshots(
      pages.map((page, index) => ({ name: `page-${index}`, page })),
      test.task.name,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
    await oauthDb?.drop();
    releasePorts?.();
  });

  /** A new user whose one passkey is held by a virtual authenticator in a new page; the page. */
  async function userWithVirtualPasskey(name: string) {
    const keys = credentialKeys();
    const credentialId = randomBytes(32);
    const { userId } = await createUserWithPasskey(oauthEnv(), {
      username: `${name}-${suffix}`,
      email: `${name}-${suffix}@example.test`,
      password: `orbit-${suffix}-canyon-lantern-4`,
      passkey: { credentialId: credentialId.toString('base64url'), publicKey: keys.jwk, name: 'Virtual' },
    });
    // A context of its own: no session of an earlier test's user, no other virtual authenticator.
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    pages.push(page);
    await virtualAuthenticator(page, { id: credentialId, pkcs8: keys.pkcs8, userHandle: userId });
    return { userId, page };
  }

  it('signs in with the "Use a passkey" button alone; the ID token says hwk + mfa', async () => {
    const { userId, page } = await userWithVirtualPasskey('button');
    // A browser without passkey autofill: the button is the way in (and the autofill request cannot win).
    await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    const { url, verifier } = authorization(client.clientId, suffix);
    await page.goto(url);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await expectAccessible(page);
    await saveAcceptanceScreenshot(page, 'passkey-sign-in');

    const arrived = arrivalAtClient(page);
    await button.click();
    const leftTo = await arrived;
    expect(leftTo.searchParams.get('state')).toBe(suffix);
    const claims = await idTokenClaims(client, leftTo, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'], acr: 'urn:platform:acr:mfa' });
  }, 120_000);

  it('signs in through passkey autofill (conditional UI) without a click', async () => {
    const { userId, page } = await userWithVirtualPasskey('autofill');
    const { url, verifier } = authorization(client.clientId, `${suffix}-autofill`);
    const arrived = arrivalAtClient(page);
    await page.goto(url);
    const leftTo = await arrived;
    const claims = await idTokenClaims(client, leftTo, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'] });
  }, 120_000);
});
