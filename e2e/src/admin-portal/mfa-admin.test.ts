// Multi-factor administration in the console, the platform started the way the README starts it (bash
// scripts/start.sh), driven through the gateway by real Chromium once per database dialect. The seeded admin
// role requires MFA only in production, so the admin first turns "Require MFA" on in the role form; signing
// in again, the admin (who has no factor) is taken through TOTP enrolment before reaching the console, with
// codes from an independent RFC 6238 implementation. Then the admin sees their factors on their user page,
// requires enrolment at the next sign-in and resets them (which ends their own sessions); the next sign-in
// enrols again and clears the requirement.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 120_000;

/** The base32 key the enrolment page shows beside the QR code (grouped by four for reading). */
async function shownKey(page: Page): Promise<string> {
  const text = (await page.locator('code').first().textContent()) ?? '';
  return text.replace(/\s+/g, '');
}

/**
 * From the enrolment page to the console: a code of the shown key, then the recovery codes page (shown
 * once); each page checked with axe. Returns the key.
 */
async function enrolTotp(page: Page): Promise<string> {
  await expect.poll(() => page.locator('h1').first().textContent()).toBe('Set up two-step verification');
  await expectAccessible(page);
  await saveAcceptanceScreenshot(page, 'mfa-admin-enrolment');
  const key = await shownKey(page);
  expect(key).toMatch(/^[A-Z2-7]+=*$/);
  await page.locator('#code').fill(totpAtStep(key, currentStep()));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(() => page.locator('h1').first().textContent()).toBe('Two-step verification is on');
  await expectAccessible(page);
  expect(await page.locator('.recovery-codes li').count()).toBe(10);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/admin'));
  return key;
}

describeEachDialect('admin-portal: multi-factor administration in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `mfa-console-${suffix}-Harbor-7`;
  let admin: Page;
  let adminId = '';
  const platform = registerConsolePlatform(temp, {
    name: 'mfa-admin',
    adminPassword,
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    admin = await platform.newPage();
  });

  it(
    'the admin turns "Require MFA" on for the admin role in the role form',
    async () => {
      await admin.goto(`${CONSOLE}/roles`);
      await signIn(admin, 'admin', adminPassword);
      await admin.goto(`${CONSOLE}/roles`);
      await admin.getByRole('link', { name: 'admin', exact: true }).click();
      await admin.waitForURL((url) => /^\/admin\/roles\/[^/]+$/.test(url.pathname));
      const toggle = admin.getByRole('switch', { name: 'Require MFA' });
      expect(await toggle.isChecked()).toBe(false);
      await toggle.setChecked(true, { force: true });
      await admin.getByRole('button', { name: 'Save role' }).click();
      await expect.poll(() => admin.getByText('Role saved.').isVisible()).toBe(true);
      await admin.reload();
      expect(await admin.getByRole('switch', { name: 'Require MFA' }).isChecked()).toBe(true);
      await expectAccessible(admin);

      await admin.goto(`${CONSOLE}/roles`);
      const adminRow = admin
        .getByRole('row')
        .filter({ has: admin.getByRole('link', { name: 'admin', exact: true }) });
      expect(await adminRow.textContent()).toContain('required');
    },
    STEP_TIMEOUT,
  );

  it(
    'signing in again, the admin without a factor enrols TOTP before reaching the console',
    async () => {
      admin = await platform.newPage();
      await admin.goto(`${CONSOLE}/users`);
      await expectAccessible(admin);
      await admin.locator('#login').fill('admin');
      await admin.locator('#password').fill(adminPassword);
      await admin.getByRole('button', { name: 'Sign in' }).click();
      // No console page before the second factor: the enrolment page comes first.
      await admin.waitForLoadState('load');
      expect(new URL(admin.url()).pathname.startsWith('/admin')).toBe(false);
      await enrolTotp(admin);
      expect(new URL(admin.url()).pathname).toBe('/admin/users');
    },
    STEP_TIMEOUT,
  );

  it(
    'the admin sees their factors, requires enrolment, sees it on the System page, and resets them, which ends their session',
    async () => {
      await admin.goto(`${CONSOLE}/users?search=admin`);
      await admin.getByRole('link', { name: 'admin', exact: true }).first().click();
      await admin.waitForURL((url) => /^\/admin\/users\/[^/]+$/.test(url.pathname));
      adminId = decodeURIComponent(new URL(admin.url()).pathname.split('/').pop()!);
      const factors = admin.getByTestId('user-factors');
      expect(await factors.textContent()).toMatch(/Authenticator app:\s*On since/);
      expect(await factors.textContent()).toContain('10 left');
      expect(await admin.getByText('MFA required by role').isVisible()).toBe(true);
      await expectAccessible(admin);
      await factors.scrollIntoViewIfNeeded();
      await saveAcceptanceScreenshot(admin, 'mfa-admin-user-factors');

      await admin.getByRole('button', { name: 'Require enrolment at next sign-in' }).click();
      expect(await admin.getByRole('dialog').textContent()).toContain('Require admin to enrol?');
      await admin.getByRole('dialog').getByRole('button', { name: 'Require enrolment' }).click();
      await expect.poll(() => admin.getByTestId('enrolment-required').isVisible()).toBe(true);
      expect(await admin.getByRole('button', { name: 'Withdraw enrolment requirement' }).isVisible()).toBe(
        true,
      );
      await expectAccessible(admin);

      await admin.goto(`${CONSOLE}/system`);
      const adoption = admin.getByTestId('mfa-adoption');
      expect(await adoption.textContent()).toMatch(/Any second factor\s*1 of \d+/);
      expect(await adoption.textContent()).toContain('asked to enrol at their next sign-in: 1');
      await expectAccessible(admin);
      await adoption.scrollIntoViewIfNeeded();
      await saveAcceptanceScreenshot(admin, 'mfa-admin-system');

      await admin.goto(`${CONSOLE}/users/${encodeURIComponent(adminId)}`);
      await admin.getByRole('button', { name: 'Reset factors', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      expect(await dialog.textContent()).toContain("Reset admin's factors?");
      await expectAccessible(admin);
      await dialog.getByRole('button', { name: 'Reset factors', exact: true }).click();
      // Resetting one's own factors ends one's own sessions too (signed in with the lost factor): the
      // console asks for a sign-in at the next navigation.
      await expect
        .poll(async () => {
          await admin.goto(`${CONSOLE}/users/${encodeURIComponent(adminId)}`);
          return admin.locator('#login').count();
        })
        .toBe(1);
    },
    STEP_TIMEOUT,
  );

  it(
    'the next sign-in enrols again and clears the requirement',
    async () => {
      await admin.locator('#password').fill(adminPassword);
      await admin.locator('#login').fill('admin');
      await admin.getByRole('button', { name: 'Sign in' }).click();
      await enrolTotp(admin);
      await admin.waitForLoadState('load');
      const factors = admin.getByTestId('user-factors');
      expect(await factors.textContent()).toMatch(/Authenticator app:\s*On since/);
      expect(await admin.getByTestId('enrolment-required').count()).toBe(0);
    },
    STEP_TIMEOUT,
  );
});
