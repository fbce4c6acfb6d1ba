// Step-up in real Chromium, through the gateway, on the platform started as the README starts it: a user signs
// in to a client with a password alone (nothing requires more), then the same browser's session starts an
// authorization asking `acr_values` for MFA and is asked only its second factor, not the password again. The
// TOTP codes come from @platform/testing's own RFC 6238 implementation; the passkey is held by Chromium's CDP
// virtual authenticator. The ID tokens' `acr` and `amr` say how far each sign-in went.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { createUserWithPasskey, createUserWithTotp } from '@platform/oauth-service/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import {
  addVirtualAuthenticator,
  arrivalAtClient,
  authorization,
  credentialKeys,
  idTokenClaims,
  PUBLIC_URL,
  registerSignInSuite,
} from './chromium-sign-in.ts';

// Never served (the gateway answers it with the console's 404 page): the test reads the code from the URL.
const CALLBACK = `${PUBLIC_URL}/step-up-e2e/callback`;
const ACR_PWD = 'urn:platform:acr:pwd';
const ACR_MFA = 'urn:platform:acr:mfa';

describeEachDialect('step-up in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const password = `harbor-${suffix}-violet-lantern-8`;
  const suite = registerSignInSuite(temp, { name: 'step-up', clientName: 'Step-up e2e', callback: CALLBACK });
  const { oauthEnv, newPage } = suite;

  /** Signs `login` in with the password alone; nothing requires more, so the ID token says pwd. */
  async function passwordSignIn(page: Page, login: string) {
    const { url, verifier } = authorization(suite.client.clientId, CALLBACK);
    await page.goto(url);
    await expectAccessible(page);
    await page.locator('#login').fill(login);
    await page.locator('#password').fill(password);
    const arrived = arrivalAtClient(page, CALLBACK);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const claims = await idTokenClaims(suite.client, await arrived, verifier);
    expect(claims).toMatchObject({ amr: ['pwd'], acr: ACR_PWD });
  }

  /** The same session asks for MFA: the second-factor page comes, and no password field. */
  async function stepUpPage(page: Page) {
    const stepUp = authorization(suite.client.clientId, CALLBACK, { acr_values: ACR_MFA });
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
    const arrived = arrivalAtClient(page, CALLBACK);
    await page.getByRole('button', { name: 'Verify' }).click();
    const claims = await idTokenClaims(suite.client, await arrived, verifier);
    expect(claims).toMatchObject({ sub: userId, acr: ACR_MFA });
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  }, 120_000);

  it('asks a password session for its passkey (the "Use a passkey" button) when the user has one', async () => {
    const login = `passkey-${suffix}`;
    const keys = credentialKeys();
    const credentialId = randomBytes(32);
    const { userId } = await createUserWithPasskey(oauthEnv(), {
      username: login,
      email: `${login}@example.test`,
      password,
      passkey: {
        credentialId: credentialId.toString('base64url'),
        publicKey: keys.jwk,
        name: 'Virtual',
      },
    });
    const page = await newPage();
    await passwordSignIn(page, login);
    // The authenticator joins after the password sign-in, so passkey autofill cannot sign in before it.
    await addVirtualAuthenticator(page, { id: credentialId, pkcs8: keys.pkcs8, userHandle: userId });

    const verifier = await stepUpPage(page);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await expectAccessible(page);
    await saveAcceptanceScreenshot(page, 'step-up-passkey');
    const arrived = arrivalAtClient(page, CALLBACK);
    await button.click();
    const claims = await idTokenClaims(suite.client, await arrived, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['pwd', 'hwk', 'mfa'], acr: ACR_MFA });
  }, 120_000);
});
