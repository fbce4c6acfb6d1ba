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
// Never served: the test intercepts the browser's request to it and keeps the authorization code.
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

describeEachDialect('passkey sign-in in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  let releasePorts: (() => void) | undefined;
  let dataDir: string;
  let oauthDb: TempDatabase | undefined;
  let platform: PlatformProcess | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

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
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 16 * 60_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail')
      await saveScreenshots([{ name: 'passkey', page }], context.task.name);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
    await oauthDb?.drop();
    releasePorts?.();
  });

  it('signs in with the passkey alone; the ID token says hwk + mfa', async () => {
    const oauthEnv = {
      DATABASE_URL: oauthDb?.url ?? `file:${join(dataDir, 'oauth-service.db')}`,
      PUBLIC_URL,
    };
    const keys = credentialKeys();
    const credentialId = randomBytes(32);
    const { userId } = await createUserWithPasskey(oauthEnv, {
      username: `passkey-${suffix}`,
      email: `passkey-${suffix}@example.test`,
      password: `orbit-${suffix}-canyon-lantern-4`,
      passkey: { credentialId: credentialId.toString('base64url'), publicKey: keys.jwk, name: 'Virtual' },
    });
    const client = await registerClient(oauthEnv, {
      name: 'Passkey e2e',
      type: 'confidential',
      grantTypes: ['authorization_code'],
      redirectUris: [CALLBACK],
      scope: ['openid'],
      firstParty: true,
    });
    await virtualAuthenticator(page!, { id: credentialId, pkcs8: keys.pkcs8, userHandle: userId });

    let leftTo: URL | undefined;
    await page!.route(`${CALLBACK}**`, (route) => {
      leftTo = new URL(route.request().url());
      return route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>done</title>',
      });
    });
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('/oauth/authorize', PUBLIC_URL);
    for (const [key, value] of Object.entries({
      client_id: client.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: suffix,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(key, value);
    await page!.goto(authorize.toString());
    const button = page!.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(await page!.locator('#login').getAttribute('autocomplete')).toBe('username webauthn');
    await expectAccessible(page!);
    await saveAcceptanceScreenshot(page!, 'passkey-sign-in');

    await button.click();
    await expect.poll(() => leftTo?.searchParams.get('code') ?? null, { timeout: 15_000 }).not.toBeNull();
    expect(leftTo?.searchParams.get('state')).toBe(suffix);

    const token = await fetch(`${PUBLIC_URL}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: leftTo!.searchParams.get('code')!,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
    const { id_token: idToken } = (await token.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'], acr: 'urn:platform:acr:mfa' });
  }, 120_000);
});
