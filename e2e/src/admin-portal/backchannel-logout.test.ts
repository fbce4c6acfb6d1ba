// OIDC Back-Channel Logout in Chromium through the gateway, once per database dialect: a sign-in session
// ending at oauth-service ends the consoles' sessions of it at once. Admin A works in the admin console (and
// the account console); admin B, in a browser context of its own, signs A out everywhere, or ends A's
// sign-in sessions through the admin API; A's very next navigation lands on the sign-in page. A's own sign-out
// from the admin console ends their account console session too, and the account console's "End all other
// sessions" ends A's admin console session in another browser.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { adminApiToken, adminCall, createUserWithRole } from './admin-api.ts';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const CONSOLE = `${ORIGIN}/admin`;
const ACCOUNT = `${ORIGIN}/account`;
const STEP_TIMEOUT = 120_000;
/** How soon after the action A's navigation starts: the acceptance's "within a second". */
const WITHIN_MS = 1_000;

/** Clicks a destructive action's button, then confirms in the dialog (checked with axe while open). */
async function confirmAction(page: Page, button: string, confirm = button) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
}

/**
 * Navigates (within WITHIN_MS of `endedAt`, when given: the moment the ending action was sent) and expects
 * oauth-service's sign-in page, not the console.
 */
async function landsOnSignIn(page: Page, url: string, endedAt?: number) {
  if (endedAt !== undefined) expect(Date.now() - endedAt).toBeLessThan(WITHIN_MS);
  await page.goto(url);
  expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
  expect(await page.locator('#login').isVisible()).toBe(true);
}

describeEachDialect('back-channel logout ends console sessions at once, in Chromium', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `backchannel-${suffix}-Harbor-7`;
  const portalSecret = `backchannel-portal-${randomBytes(24).toString('base64url')}`;
  const alice = {
    username: `alice-${suffix}`,
    email: `alice-${suffix}@example.com`,
    password: `meadow-${suffix}-quartz-river-5`,
  };
  let aliceId = '';
  let token = '';
  let adminPage: Page;
  let aliceContext: BrowserContext;
  let alicePage: Page;
  let aliceAccount: Page;
  const platform = registerConsolePlatform(temp, {
    name: 'backchannel',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    waitForUrls: [`${CONSOLE}/`, `${ACCOUNT}/`],
    pages: () => ({ admin: adminPage, alice: alicePage, aliceAccount }),
  });

  beforeAll(async () => {
    token = await adminApiToken('admin', adminPassword, portalSecret);
    aliceId = await createUserWithRole(
      token,
      { ...alice, display_name: 'Alice Admin', must_change_password: false },
      'admin',
    );
    // oauth-service's pages forbid every script by CSP; axe-core is injected by the test, not the page.
    adminPage = await platform.newPage({ bypassCSP: true });
    await adminPage.goto(`${CONSOLE}/users/${encodeURIComponent(aliceId)}`);
    await signIn(adminPage, 'admin', adminPassword);
  });

  /** Alice signed in to the admin console (and, in the same browser, the account console) afresh. */
  async function aliceSignsIn(withAccount = false) {
    await aliceContext?.close();
    aliceContext = await platform.browser.newContext({ bypassCSP: true });
    alicePage = await aliceContext.newPage();
    await alicePage.goto(`${CONSOLE}/users`);
    await signIn(alicePage, alice.username, alice.password);
    expect(new URL(alicePage.url()).pathname).toBe('/admin/users');
    if (!withAccount) return;
    aliceAccount = await aliceContext.newPage();
    // The browser already has a sign-in session at oauth-service: no sign-in page on the way.
    await aliceAccount.goto(`${ACCOUNT}/auth/login`);
    await aliceAccount.waitForURL((url) => url.pathname.startsWith('/account'));
    expect(await aliceAccount.getByTestId('profile-username').textContent()).toBe(alice.username);
  }

  it(
    'an admin\'s "Sign out everywhere" in the console sends Alice to sign-in at her next navigation',
    async () => {
      await aliceSignsIn();
      await adminPage.reload();
      await expect
        .poll(() => adminPage.getByTestId('user-sessions').locator('tr').count())
        .toBeGreaterThan(0);
      await confirmAction(adminPage, 'Sign out everywhere');
      const endedAt = Date.now();
      await expect
        .poll(() => adminPage.getByText(/Signed out everywhere: \d+ session\(s\) ended/).isVisible())
        .toBe(true);
      await landsOnSignIn(alicePage, `${CONSOLE}/users`, endedAt);
      await expectAccessible(alicePage);
      await saveAcceptanceScreenshot(alicePage, `backchannel-signed-out-everywhere-${temp().dialect}`);
      // The ended console session's cookie is gone, not merely refused.
      const cookies = await aliceContext.cookies(CONSOLE);
      expect(cookies.find((cookie) => cookie.name === 'portal_session')).toBeUndefined();
    },
    STEP_TIMEOUT,
  );

  it(
    "ending Alice's sign-in sessions (her grants kept) ends both her console sessions at once",
    async () => {
      await aliceSignsIn(true);
      const endedAt = Date.now();
      await adminCall(token, 'DELETE', `/users/${aliceId}/sessions`);
      await landsOnSignIn(alicePage, `${CONSOLE}/users`, endedAt);
      await landsOnSignIn(aliceAccount, `${ACCOUNT}/sessions`);
      await expectAccessible(aliceAccount);
    },
    STEP_TIMEOUT,
  );

  it(
    "Alice's own sign-out from the admin console ends her account console session",
    async () => {
      await aliceSignsIn(true);
      await alicePage.getByRole('button', { name: 'Sign out' }).click();
      await alicePage.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/', {
        timeout: 15_000,
      });
      // A page of the account console (its home page stays public: it is where a sign-out lands).
      await landsOnSignIn(aliceAccount, `${ACCOUNT}/sessions`);
      await saveAcceptanceScreenshot(aliceAccount, `backchannel-account-after-sign-out-${temp().dialect}`);
    },
    STEP_TIMEOUT,
  );

  it(
    'the account console\'s "End all other sessions" ends her admin console session in another browser',
    async () => {
      await aliceSignsIn();
      const elsewhere = await platform.browser.newContext({ bypassCSP: true });
      aliceAccount = await elsewhere.newPage();
      await aliceAccount.goto(`${ACCOUNT}/sessions`);
      await signIn(aliceAccount, alice.username, alice.password, undefined, '/account');
      await confirmAction(aliceAccount, 'End all other sessions', 'End them');
      const endedAt = Date.now();
      await expect
        .poll(() => aliceAccount.getByText('You are signed in nowhere else.').isVisible())
        .toBe(true);
      await landsOnSignIn(alicePage, `${CONSOLE}/users`, endedAt);
      // The account console's own session stays.
      await aliceAccount.goto(`${ACCOUNT}/sessions`);
      expect(new URL(aliceAccount.url()).pathname).toBe('/account/sessions');
      await elsewhere.close();
    },
    STEP_TIMEOUT,
  );
});
