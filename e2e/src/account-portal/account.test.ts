// The account console's acceptance test: the platform started the way the README starts it (bash
// scripts/start.sh), driven through the gateway by real Chromium, once per database dialect. A user with the
// everyday `user` role (no admin permission) signs in at /account, sees their profile, changes their display
// name, is refused a password change with a wrong current password, signs in elsewhere to a third-party
// application (a second sign-in session), revokes that application (its refresh token then fails at the
// token endpoint), ends the other session, reads their security events and signs out. Every page is checked
// with axe-core. A failing step saves screenshots under e2e/artifacts/admin-portal/ (git-ignored).
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { authorizationRequest, createClient, createUserWithRole } from '../admin-portal/admin-api.ts';
import { signIn } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import {
  ACCOUNT,
  confirmAction,
  ORIGIN,
  registerAccountPlatform,
  signOutOfAccount,
} from './account-suite.ts';

const PARTNER_CALLBACK = `${ORIGIN}/partner/callback`;
const STEP_TIMEOUT = 90_000;
const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;

/** The token endpoint's answer to a confidential client's request. */
async function tokenRequest(client: { id: string; secret: string }, form: Record<string, string>) {
  const response = await fetch(`${ORIGIN}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describeEachDialect('account-portal in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const user = {
    username: `ann-${suffix}`,
    email: `ann-${suffix}@example.com`,
    password: `lantern-${suffix}-orbit-canyon-4`,
  };
  const partnerName = `Partner reports ${suffix}`;
  let partner = { id: '', secret: '' };
  let context: BrowserContext;
  let page: Page;
  let elsewherePage: Page | undefined;
  let partnerRefreshToken = '';
  const platform = registerAccountPlatform(temp, {
    name: 'account',
    pages: () => ({ account: page, elsewhere: elsewherePage }),
  });

  beforeAll(async () => {
    // The user (role `user`: no admin permission) and a third-party application, through the admin API.
    const admin = await platform.adminToken();
    await createUserWithRole(
      admin,
      { ...user, display_name: 'Ann Example', must_change_password: false },
      'user',
    );
    partner = await createClient(admin, {
      name: partnerName,
      type: 'confidential',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [PARTNER_CALLBACK],
      scope: ['openid', 'profile', 'offline_access', 'test:read'],
    });
    // oauth-service's pages forbid every script by CSP; axe-core is injected by the test, not the page.
    context = await platform.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  it(
    'signs a user in from the signed-out home page and shows their profile, tokens kept on the server',
    async () => {
      await page.goto(`${ACCOUNT}/`);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
      // signIn fails on a consent page: the account console is first-party.
      await signIn(page, user.username, user.password, undefined, '/account');
      await expect
        .poll(() => page.getByRole('heading', { name: 'Profile', level: 2 }).isVisible())
        .toBe(true);
      expect(await page.getByTestId('profile-username').textContent()).toBe(user.username);
      expect(await page.getByTestId('profile-email').textContent()).toBe(user.email);
      expect(await page.getByTestId('signed-in-user').textContent()).toContain(`(${user.username})`);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-profile-${temp().dialect}`);

      const session = (await context.cookies(ACCOUNT)).find((c) => c.name === 'account_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Lax');
      expect(session?.path).toBe('/account');
      const html = await page.content();
      expect(html).not.toMatch(JWT);
      expect(html).not.toContain(session!.value);
    },
    STEP_TIMEOUT,
  );

  it(
    'changes the display name, and the header shows the new one',
    async () => {
      await page.getByLabel('Display name').fill('Ann Renamed');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => page.getByText('Your display name is saved.').isVisible()).toBe(true);
      await page.reload();
      expect(await page.getByLabel('Display name').inputValue()).toBe('Ann Renamed');
      expect(await page.getByTestId('signed-in-user').textContent()).toContain('Ann Renamed');
    },
    STEP_TIMEOUT,
  );

  it(
    'refuses a password change with a wrong current password, on its field',
    async () => {
      await page.getByRole('link', { name: 'Password' }).click();
      await page.waitForURL(`${ACCOUNT}/password`);
      await expectAccessible(page);
      await page.locator('input[name="currentPassword"]').fill('not-my-password-at-all');
      await page.locator('input[name="newPassword"]').fill(`new-${user.password}`);
      await page.locator('input[name="confirmPassword"]').fill(`new-${user.password}`);
      await page.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => page.getByRole('alert').first().isVisible()).toBe(true);
      await expect.poll(() => page.getByText('is not your current password').count()).toBe(1);
      // The field says it; the form's message does not repeat the API's `path: message`, and what the user
      // typed stays for the next try.
      expect(await page.getByRole('alert').first().textContent()).toContain('Some fields need attention.');
      expect(await page.locator('input[name="newPassword"]').inputValue()).toBe(`new-${user.password}`);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-password-refused-${temp().dialect}`);
    },
    STEP_TIMEOUT,
  );

  it(
    'lists two sign-in sessions, this one marked, after the user signs in to an application elsewhere',
    async () => {
      elsewherePage = await platform.newPage({ bypassCSP: true });
      const request = authorizationRequest({
        client_id: partner.id,
        redirect_uri: PARTNER_CALLBACK,
        scope: 'openid profile offline_access test:read',
        resource: `${ORIGIN}/test`,
        prompt: 'consent',
      });
      await elsewherePage.goto(request.url);
      await elsewherePage.locator('#login').fill(user.username);
      await elsewherePage.locator('#password').fill(user.password);
      await elsewherePage.getByRole('button', { name: 'Sign in' }).click();
      await elsewherePage.getByRole('button', { name: 'Allow' }).click();
      await elsewherePage.waitForURL((url) => url.href.startsWith(`${PARTNER_CALLBACK}?`));
      const code = new URL(elsewherePage.url()).searchParams.get('code');
      const tokens = await tokenRequest(partner, {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: PARTNER_CALLBACK,
        code_verifier: request.verifier,
      });
      expect(tokens.status).toBe(200);
      partnerRefreshToken = tokens.body.refresh_token!;
      expect(partnerRefreshToken).toEqual(expect.any(String));

      await page.getByRole('link', { name: 'Sessions' }).click();
      await page.waitForURL(`${ACCOUNT}/sessions`);
      const rows = page.getByTestId('session-row');
      await expect.poll(() => rows.count()).toBe(2);
      const current = page.locator('[data-testid="session-row"][data-current="true"]');
      expect(await current.count()).toBe(1);
      expect(await current.textContent()).toContain('This session');
      const other = page.locator('[data-testid="session-row"][data-current="false"]');
      expect(await other.textContent()).toContain(partnerName);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-sessions-${temp().dialect}`);
    },
    STEP_TIMEOUT,
  );

  it(
    'revokes the application, naming it in the confirmation; its refresh token then fails',
    async () => {
      await page.getByRole('link', { name: 'Connected applications' }).click();
      await page.waitForURL(`${ACCOUNT}/applications`);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-applications-${temp().dialect}`);
      const row = page.locator(`[data-testid="application-row"][data-client-id="${partner.id}"]`);
      expect(await row.count()).toBe(1);
      await confirmAction(page, `Revoke ${partnerName}`);
      await expect.poll(() => row.count()).toBe(0);
      const refreshed = await tokenRequest(partner, {
        grant_type: 'refresh_token',
        refresh_token: partnerRefreshToken,
      });
      expect(refreshed.status).toBe(400);
      expect(refreshed.body.error).toBe('invalid_grant');
    },
    STEP_TIMEOUT,
  );

  it(
    'ends the other session: that browser must sign in again',
    async () => {
      await page.getByRole('link', { name: 'Sessions' }).click();
      await page.waitForURL(`${ACCOUNT}/sessions`);
      const others = page.locator('[data-testid="session-row"][data-current="false"]');
      await expect.poll(() => others.count()).toBe(1);
      await confirmAction(page, 'End session');
      await expect.poll(() => page.getByTestId('session-row').count()).toBe(1);
      expect(await page.locator('[data-testid="session-row"][data-current="true"]').count()).toBe(1);
      // The ended session's browser is asked to sign in again by oauth-service.
      const again = authorizationRequest({
        client_id: partner.id,
        redirect_uri: PARTNER_CALLBACK,
        scope: 'openid profile',
        resource: `${ORIGIN}/test`,
      });
      await elsewherePage!.goto(again.url);
      await expect.poll(() => elsewherePage!.locator('#login').isVisible()).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'shows the recent security events',
    async () => {
      await page.getByRole('link', { name: 'Security events' }).click();
      await page.waitForURL(`${ACCOUNT}/events`);
      await expect.poll(() => page.getByTestId('event-row').count()).toBeGreaterThan(0);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-events-${temp().dialect}`);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out with one click, back to the signed-out home page',
    async () => {
      await signOutOfAccount(page);
      await expect.poll(() => page.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
      await expectAccessible(page);
      await page.goto(`${ACCOUNT}/sessions`);
      expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    },
    STEP_TIMEOUT,
  );
});
