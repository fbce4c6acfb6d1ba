// Passwordless sign-in with a passkey in real Chromium, through the gateway, on the platform started as the
// README starts it. Chromium's CDP virtual authenticator (CTAP2, resident keys, user verification) holds a
// credential whose private key the test made; the same credential's public key is stored for the user the
// way the passkey service stores a verified registration. The user clicks "Use a passkey", the page script
// and the authenticator do the rest, and the ID token's `amr` says how they signed in.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { createUserWithPasskey } from '@platform/oauth-service/testing';
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
const CALLBACK = `${PUBLIC_URL}/passkey-e2e/callback`;

describeEachDialect('passkey sign-in in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const suite = registerSignInSuite(temp, {
    name: 'passkey-sign-in',
    clientName: 'Passkey e2e',
    callback: CALLBACK,
  });
  const { oauthEnv, newPage } = suite;

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
    const page = await newPage();
    await addVirtualAuthenticator(page, { id: credentialId, pkcs8: keys.pkcs8, userHandle: userId });
    return { userId, page };
  }

  it('signs in with the "Use a passkey" button alone; the ID token says hwk + mfa', async () => {
    const { userId, page } = await userWithVirtualPasskey('button');
    // A browser without passkey autofill: the button is the way in (and the autofill request cannot win).
    await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    const { url, verifier } = authorization(suite.client.clientId, CALLBACK, { state: suffix });
    await page.goto(url);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await expectAccessible(page);
    await saveAcceptanceScreenshot(page, 'passkey-sign-in');

    const arrived = arrivalAtClient(page, CALLBACK);
    await button.click();
    const leftTo = await arrived;
    expect(leftTo.searchParams.get('state')).toBe(suffix);
    const claims = await idTokenClaims(suite.client, leftTo, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'], acr: 'urn:platform:acr:mfa' });
  }, 120_000);

  it('signs in through passkey autofill (conditional UI) without a click', async () => {
    const { userId, page } = await userWithVirtualPasskey('autofill');
    const { url, verifier } = authorization(suite.client.clientId, CALLBACK, { state: `${suffix}-autofill` });
    const arrived = arrivalAtClient(page, CALLBACK);
    await page.goto(url);
    const leftTo = await arrived;
    const claims = await idTokenClaims(suite.client, leftTo, verifier);
    expect(claims).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'] });
  }, 120_000);
});
