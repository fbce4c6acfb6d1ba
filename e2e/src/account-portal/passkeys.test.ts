// Passkeys in the account console, in real Chromium through the gateway, once per database dialect. Chromium's
// CDP virtual authenticator (CTAP2, resident keys, user verification) plays the user's device: the user signs
// in to /account with their password, adds a passkey on the Passkeys page (the console's server relays the
// WebAuthn options and the browser's answer to the account API), renames it, signs out, and signs in to an
// application with the passkey alone — the application's real ID token says how (`amr`). Removed in the
// console, the same passkey no longer signs in. Every page is checked with axe-core.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { createClient, createUserWithRole } from '../admin-portal/admin-api.ts';
import { signIn } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import {
  arrivalAtClient,
  authorization,
  idTokenClaims,
  virtualAuthenticator,
} from '../oauth/chromium-sign-in.ts';
import {
  ACCOUNT,
  confirmAction,
  ORIGIN,
  registerAccountPlatform,
  signOutOfAccount,
} from './account-suite.ts';

// Never served (the gateway answers it with a 404 page): the test reads the code from the URL.
const CALLBACK = `${ORIGIN}/passkey-console-e2e/callback`;
const STEP_TIMEOUT = 90_000;

async function residentCredentials(authenticator: { cdp: CDPSession; authenticatorId: string }) {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: authenticator.authenticatorId,
  });
  return credentials.filter((credential) => credential.isResidentCredential);
}

describeEachDialect('account console passkeys in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const user = {
    username: `pia-${suffix}`,
    email: `pia-${suffix}@example.com`,
    password: `lantern-${suffix}-orbit-canyon-4`,
  };
  let userId = '';
  let partner = { id: '', secret: '' };
  let page: Page;
  let authenticator: Awaited<ReturnType<typeof virtualAuthenticator>>;
  const platform = registerAccountPlatform(temp, {
    name: 'passkeys-console',
    pages: () => ({ account: page }),
  });

  beforeAll(async () => {
    const admin = await platform.adminToken();
    userId = await createUserWithRole(admin, { ...user, must_change_password: false }, 'user');
    partner = await createClient(admin, {
      name: `Passkey app ${suffix}`,
      type: 'confidential',
      grant_types: ['authorization_code'],
      redirect_uris: [CALLBACK],
      scope: ['openid'],
      first_party: true,
    });
    // oauth-service's pages forbid every script by CSP; axe-core is injected by the test, not the page.
    page = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    // A browser without passkey autofill: the "Use a passkey" button is the way in.
    await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    authenticator = await virtualAuthenticator(page);
  }, 5 * 60_000);

  /** Opens the application's authorization request and clicks "Use a passkey" on the sign-in page. */
  async function usePasskey(state: string) {
    const { url, verifier } = authorization(partner.id, CALLBACK, { state });
    await page.goto(url);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await expectAccessible(page);
    await button.click();
    return verifier;
  }

  it(
    'adds a passkey on the Passkeys page with the browser’s authenticator, and renames it',
    async () => {
      await page.goto(`${ACCOUNT}/passkeys`);
      await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
      await signIn(page, user.username, user.password, undefined, '/account');
      await expect
        .poll(() => page.getByRole('heading', { name: 'Passkeys', level: 2 }).isVisible())
        .toBe(true);
      expect(await page.getByText('You have no passkey yet.').isVisible()).toBe(true);
      await expectAccessible(page);

      const addForm = page.getByRole('form', { name: 'Add a passkey' });
      await addForm.locator('input[name="name"]').fill('Virtual key');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await expect
        .poll(() => page.getByText('The passkey “Virtual key” is added.').isVisible(), { timeout: 20_000 })
        .toBe(true);
      await expect.poll(() => page.getByTestId('passkey-row').count()).toBe(1);
      const row = page.getByTestId('passkey-row');
      expect(await row.textContent()).toContain('Never');
      expect(await residentCredentials(authenticator)).toHaveLength(1);

      const nameField = row.locator('input[name="name"]');
      expect(await nameField.inputValue()).toBe('Virtual key');
      await nameField.fill('Laptop key');
      await row.getByRole('button', { name: 'Rename' }).click();
      await expect.poll(() => page.getByText('Renamed to “Laptop key”.').isVisible()).toBe(true);
      await page.reload();
      expect(await page.getByTestId('passkey-row').locator('input[name="name"]').inputValue()).toBe(
        'Laptop key',
      );
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-passkeys-${temp().dialect}`);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out, then signs in with the passkey alone; the ID token’s amr says so',
    async () => {
      await signOutOfAccount(page);
      const verifier = await usePasskey(`${suffix}-passkey`);
      const leftTo = await arrivalAtClient(page, CALLBACK);
      expect(leftTo.searchParams.get('state')).toBe(`${suffix}-passkey`);
      const claims = await idTokenClaims({ clientId: partner.id, secret: partner.secret }, leftTo, verifier);
      expect(claims.sub).toBe(userId);
      // A user-verified passkey: something the user has (hwk) and is or knows (the screen lock) — two factors.
      expect(claims.amr).toEqual(expect.arrayContaining(['hwk', 'mfa']));
      expect(claims.amr).not.toContain('pwd');

      // Still signed in at oauth-service: the console opens without a password and shows the use.
      await page.goto(`${ACCOUNT}/passkeys`);
      await expect.poll(() => page.getByTestId('passkey-row').count()).toBe(1);
      expect(await page.getByTestId('passkey-row').textContent()).not.toContain('Never');
    },
    STEP_TIMEOUT,
  );

  it(
    'removes the passkey after a confirmation naming it; it no longer signs in',
    async () => {
      const confirmation = await confirmAction(page, 'Remove', 'Remove passkey');
      expect(confirmation).toContain('Laptop key');
      await expect.poll(() => page.getByText('You have no passkey yet.').isVisible()).toBe(true);
      await expectAccessible(page);

      await signOutOfAccount(page);
      // The authenticator still holds the credential; the service no longer knows it.
      expect(await residentCredentials(authenticator)).toHaveLength(1);
      await usePasskey(`${suffix}-removed`);
      await expect
        .poll(() => page.getByText('That passkey was not accepted.').isVisible(), { timeout: 20_000 })
        .toBe(true);
      expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
      await expectAccessible(page);
    },
    STEP_TIMEOUT,
  );
});
