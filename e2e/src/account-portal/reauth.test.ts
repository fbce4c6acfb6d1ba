// A sensitive change in the account console needs a recent sign-in, end to end: the platform started with
// ACCOUNT_REAUTH_SECONDS=3 (bash scripts/start.sh), driven through the gateway by real Chromium, once per
// database dialect. A user signs in, waits past the window, and asks to set up an authenticator app: the
// console says why it cannot and offers to sign in again; the sign-in page asks for the password again
// (max_age=0) although the session is live, comes back to the page, and the enrolment then starts.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { createUserWithRole } from '../admin-portal/admin-api.ts';
import { signIn } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import { ACCOUNT, registerAccountPlatform } from './account-suite.ts';

const WINDOW_SECONDS = 3;
const STEP_TIMEOUT = 120_000;

describeEachDialect('account-portal asks for a recent sign-in before a sensitive change', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const user = { username: `rhea-${suffix}`, password: `lantern-${suffix}-copper-field-8` };
  let page: Page;

  const platform = registerAccountPlatform(temp, {
    name: 'reauth',
    pages: () => ({ account: page }),
    env: { ACCOUNT_REAUTH_SECONDS: String(WINDOW_SECONDS) },
  });

  beforeAll(async () => {
    const admin = await platform.adminToken();
    await createUserWithRole(
      admin,
      { ...user, email: `${user.username}@example.com`, must_change_password: false },
      'user',
    );
    page = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  });

  it(
    'an old sign-in is sent to sign in again, comes back to the page, and then enrols',
    async () => {
      await page.goto(`${ACCOUNT}/two-step`);
      await signIn(page, user.username, user.password, undefined, '/account');
      await page.goto(`${ACCOUNT}/two-step`);
      await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS + 1.5) * 1000));

      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const again = page.getByTestId('reauthenticate');
      await expect.poll(() => again.isVisible()).toBe(true);
      expect(await page.getByText('this change needs a recent sign-in', { exact: false }).isVisible()).toBe(
        true,
      );
      expect(await page.getByTestId('totp-secret').count()).toBe(0);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-reauth-notice-${temp().dialect}`);

      // The session is live, yet the sign-in page asks for the password again.
      await again.click();
      await expect.poll(() => page.locator('#password').isVisible()).toBe(true);
      await signIn(page, user.username, user.password, undefined, '/account');
      await page.waitForURL(`${ACCOUNT}/two-step`);

      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const key = page.getByTestId('totp-secret');
      await expect.poll(() => key.isVisible()).toBe(true);
      expect((await key.textContent())!.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{32}$/);
      await expectAccessible(page);
    },
    STEP_TIMEOUT,
  );
});
