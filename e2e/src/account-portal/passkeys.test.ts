// Passkeys in the account console, in real Chromium through the gateway, once per database dialect. Chromium's
// CDP virtual authenticator (CTAP2, resident keys, user verification) plays the user's device: the user signs
// in to /account with their password, adds a passkey on the Passkeys page (the console's server relays the
// WebAuthn options and the browser's answer to the account API), renames it, signs out, and signs in to an
// application with the passkey alone — the application's real ID token says how (`amr`). Removed in the
// console, the same passkey no longer signs in. Every page is checked with axe-core.
import { createHash, randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { adminApiToken } from '../admin-portal/admin-api.ts';
import { signIn } from '../admin-portal/browser.ts';
import { registerConsolePlatform } from '../admin-portal/console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const ACCOUNT = `${ORIGIN}/account`;
// Never served (the gateway answers it with a 404 page): the test reads the code from the URL.
const CALLBACK = `${ORIGIN}/passkey-console-e2e/callback`;
const STEP_TIMEOUT = 90_000;

/** The admin API, called with the admin's token. */
async function adminCall<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
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

/** The gateway routes to each console once its health check has seen it up (a moment later on a busy host). */
async function consolesRouted() {
  for (const url of [`${ORIGIN}/admin/`, `${ACCOUNT}/`]) {
    for (let tries = 0; tries < 120; tries += 1) {
      const status = (await fetch(url).catch(() => undefined))?.status;
      if (status !== undefined && status < 500) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Chromium's virtual authenticator on `page`, empty: the console's ceremony creates its credential. */
async function virtualAuthenticator(page: Page) {
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

async function residentCredentials(authenticator: { cdp: CDPSession; authenticatorId: string }) {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: authenticator.authenticatorId,
  });
  return credentials.filter((credential) => credential.isResidentCredential);
}

/** An authorization request of `clientId` with PKCE: its URL and the verifier for the code exchange. */
function authorization(clientId: string, state: string) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/oauth/authorize', ORIGIN);
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

/** The claims of the ID token the application gets for the code in `leftTo` (its own token request). */
async function idTokenClaims(client: { id: string; secret: string }, leftTo: URL, verifier: string) {
  const response = await fetch(`${ORIGIN}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
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

/** Clicks a destructive action's button, then confirms in the dialog (checked with axe while open). */
async function confirmAction(page: Page, button: string, confirm: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expectAccessible(page);
  const text = (await dialog.textContent()) ?? '';
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
  return text;
}

describeEachDialect('account console passkeys in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `passkey-console-${suffix}-Harbor-7`;
  const portalSecret = `passkey-e2e-portal-${randomBytes(24).toString('base64url')}`;
  const user = {
    username: `pia-${suffix}`,
    email: `pia-${suffix}@example.com`,
    password: `lantern-${suffix}-orbit-canyon-4`,
  };
  let userId = '';
  let partner = { id: '', secret: '' };
  let page: Page;
  let authenticator: Awaited<ReturnType<typeof virtualAuthenticator>>;
  const platform = registerConsolePlatform(temp, {
    name: 'passkeys-console',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    pages: () => ({ account: page }),
  });

  beforeAll(async () => {
    await consolesRouted();
    const admin = await adminApiToken('admin', adminPassword, portalSecret);
    userId = (
      await adminCall<{ id: string }>(admin, 'POST', '/users', { ...user, must_change_password: false })
    ).id;
    const roles = await adminCall<{ items: Array<{ id: string; name: string }> }>(admin, 'GET', '/roles');
    const role = roles.items.find((entry) => entry.name === 'user');
    await adminCall(admin, 'PUT', `/users/${userId}/roles/${role!.id}`);
    const client = await adminCall<{ client_id: string; client_secret: string }>(admin, 'POST', '/clients', {
      name: `Passkey app ${suffix}`,
      type: 'confidential',
      grant_types: ['authorization_code'],
      redirect_uris: [CALLBACK],
      scope: ['openid'],
      first_party: true,
    });
    partner = { id: client.client_id, secret: client.client_secret };
    // oauth-service's pages forbid every script by CSP; axe-core is injected by the test, not the page.
    page = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    // A browser without passkey autofill: the "Use a passkey" button is the way in.
    await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    authenticator = await virtualAuthenticator(page);
  }, 5 * 60_000);

  /** Opens the application's authorization request and clicks "Use a passkey" on the sign-in page. */
  async function usePasskey(state: string) {
    const { url, verifier } = authorization(partner.id, state);
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
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.href === `${ACCOUNT}/` || url.href === ACCOUNT);
      const verifier = await usePasskey(`${suffix}-passkey`);
      await page.waitForURL((url) => url.href.startsWith(CALLBACK), { timeout: 20_000 });
      const leftTo = new URL(page.url());
      expect(leftTo.searchParams.get('state')).toBe(`${suffix}-passkey`);
      const claims = await idTokenClaims(partner, leftTo, verifier);
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

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.href === `${ACCOUNT}/` || url.href === ACCOUNT);
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
