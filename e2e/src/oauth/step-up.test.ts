// Step-up in real Chromium, through the gateway, on the platform started as the README starts it: a user signs
// in to a client with a password alone (nothing requires more), then the same browser's session starts an
// authorization asking `acr_values` for MFA and is asked only its second factor, not the password again. The
// TOTP codes come from @platform/testing's own RFC 6238 implementation; the passkey is held by Chromium's CDP
// virtual authenticator. The ID tokens' `acr` and `amr` say how far each sign-in went.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import { createUserWithPasskey, createUserWithTotp, registerClient } from '@platform/oauth-service/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { launchChromium, saveScreenshots } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import { acquireFixedPorts } from '../fixed-ports-lock.ts';
import { type PlatformProcess, startPlatform } from '../platform-process.ts';

const PUBLIC_URL = 'http://localhost:8080';
// Never served (the gateway answers it with the console's 404 page): the test reads the code from the URL.
const CALLBACK = `${PUBLIC_URL}/step-up-e2e/callback`;
const ACR_PWD = 'urn:platform:acr:pwd';
const ACR_MFA = 'urn:platform:acr:mfa';

/** The authorization request of `clientId` with PKCE: its URL and the verifier for the code exchange. */
function authorization(clientId: string, params: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/oauth/authorize', PUBLIC_URL);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: CALLBACK,
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

/** Adds Chromium's virtual authenticator (CTAP2, resident keys, user verification) holding one credential. */
async function addVirtualAuthenticator(
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
}

describeEachDialect('step-up in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const password = `harbor-${suffix}-violet-lantern-8`;
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
    dataDir = mkdtempSync(join(tmpdir(), 'step-up-e2e-'));
    if (temp().dialect === 'postgres') oauthDb = await createTempDatabase('postgres');
    platform = startPlatform({
      PLATFORM_DATA_DIR: dataDir,
      RUST_LOG: 'error',
      ...(oauthDb ? { TEST_SERVICE_DATABASE_URL: temp().url, OAUTH_SERVICE_DATABASE_URL: oauthDb.url } : {}),
    });
    await platform.waitFor(/Press Ctrl-C to stop/, 10 * 60_000);
    client = await registerClient(oauthEnv(), {
      name: 'Step-up e2e',
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
      `step-up-${temp().dialect}-${test.task.name}`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
    await oauthDb?.drop();
    releasePorts?.();
  });

  /** A page in a context of its own: no other test's session. */
  async function newPage() {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    pages.push(page);
    return page;
  }

  /** Signs `login` in with the password alone; nothing requires more, so the ID token says pwd. */
  async function passwordSignIn(page: Page, login: string) {
    const { url, verifier } = authorization(client.clientId);
    await page.goto(url);
    await expectAccessible(page);
    await page.locator('#login').fill(login);
    await page.locator('#password').fill(password);
    const arrived = arrivalAtClient(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const claims = await idTokenClaims(client, await arrived, verifier);
    expect(claims).toMatchObject({ amr: ['pwd'], acr: ACR_PWD });
  }

  /** The same session asks for MFA: the second-factor page comes, and no password field. */
  async function stepUpPage(page: Page) {
    const stepUp = authorization(client.clientId, { acr_values: ACR_MFA });
    await page.goto(stepUp.url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Two-step verification');
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    return stepUp.verifier;
  }

  it('asks a password session for its TOTP code when a client sends acr_values for MFA', async () => {
    const login = `totp-${suffix}`;
    const { userId, secret } = await createUserWithTotp(
      oauthEnv(),
      { username: login, email: `${login}@example.test`, password },
      (base32) => totpAtStep(base32, currentStep() - 1),
    );
    const page = await newPage();
    await passwordSignIn(page, login);

    const verifier = await stepUpPage(page);
    await expectAccessible(page);
    await saveAcceptanceScreenshot(page, 'step-up-second-factor');
    await page.getByLabel('Code from your authenticator app').fill(totpAtStep(secret, currentStep()));
    const arrived = arrivalAtClient(page);
    await page.getByRole('button', { name: 'Verify' }).click();
    const claims = await idTokenClaims(client, await arrived, verifier);
    expect(claims).toMatchObject({ sub: userId, acr: ACR_MFA });
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  }, 120_000);

  it('asks a password session for its passkey (the "Use a passkey" button) when the user has one', async () => {
    const login = `passkey-${suffix}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = randomBytes(32);
    const { userId } = await createUserWithPasskey(oauthEnv(), {
      username: login,
      email: `${login}@example.test`,
      password,
      passkey: {
        credentialId: credentialId.toString('base64url'),
        publicKey: publicKey.export({ format: 'jwk' }),
        name: 'Virtual',
      },
    });
    const page = await newPage();
    await passwordSignIn(page, login);
    // The authenticator joins after the password sign-in, so passkey autofill cannot sign in before it.
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    await addVirtualAuthenticator(page, { id: credentialId, pkcs8, userHandle: userId });

    const verifier = await stepUpPage(page);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await expectAccessible(page);
    await saveAcceptanceScreenshot(page, 'step-up-passkey');
    const arrived = arrivalAtClient(page);
    await button.click();
    const claims = await idTokenClaims(client, await arrived, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['pwd', 'hwk', 'mfa'], acr: ACR_MFA });
  }, 120_000);
});
