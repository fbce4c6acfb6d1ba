// Mail in the console, through the gateway in real Chromium, with a real SMTP server (aiosmtpd) receiving
// what oauth-service sends: the admin invites a user from New user, the user sets their password through the
// mailed link and signs in; later they forget it, ask for a reset on the sign-in page, and sign in with the
// new one. axe-core checks every oauth-service page visited (sign-in, reset request, the links' forms).
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { type SmtpTestServer, startSmtpServer } from '@platform/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;

/** Fills and submits a mailed link's password form; waits for the page that answers (its heading). */
async function choosePassword(page: Page, password: string, answer: string) {
  await page.locator('#password').fill(password);
  await page.locator('#confirm').fill(password);
  await page.getByRole('button', { name: 'Save the password' }).click();
  await page.getByRole('heading', { name: answer }).waitFor();
}

describeEachDialect('account mail in the console', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `correct-horse-battery-${suffix}-7`;
  const invitee = {
    username: `ivy-${suffix}`,
    email: `ivy-${suffix}@example.com`,
    password: `meadow-${suffix}-quartz-lantern-3`,
    newPassword: `harbor-${suffix}-violet-canyon-8`,
  };
  let smtp: SmtpTestServer;
  let admin: Page;
  let user: Page | undefined;

  // Before the platform's hooks: oauth-service starts with the server's address, and stops before it.
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  const platform = registerConsolePlatform(temp, {
    name: 'account-mail',
    adminPassword,
    env: () => ({ SMTP_URL: smtp.url, MAIL_FROM: 'Platform console <no-reply@example.com>' }),
    pages: () => ({ admin, user }),
  });

  // oauth-service's pages forbid every script (CSP); axe-core is injected past it, as the tester's tool.
  const newPage = () => platform.newPage({ bypassCSP: true });

  beforeAll(async () => {
    admin = await newPage();
  });

  it(
    'invites a user from New user; the mailed link sets their password and they sign in',
    async () => {
      await admin.goto(`${CONSOLE}/users/new`);
      await expectAccessible(admin);
      expect(await admin.getByRole('link', { name: 'Forgot password?' }).count()).toBe(1);
      await signIn(admin, 'admin', adminPassword);
      await admin.goto(`${CONSOLE}/users/new`);
      await admin.locator('#field-username').fill(invitee.username);
      await admin.locator('#field-email').fill(invitee.email);
      await admin.locator('#field-invite').check();
      await admin.getByRole('button', { name: 'Create user' }).click();
      await admin.waitForURL(/\/admin\/users\/[^/?]+/);
      await expect.poll(() => admin.getByText('Invited: no password yet.').isVisible()).toBe(true);
      expect(await admin.getByRole('button', { name: 'Resend invitation' }).count()).toBe(1);

      const mail = await smtp.waitForMail(invitee.email);
      expect(mail.subject).toBe('You are invited: set your password');
      expect(mail.link).toMatch(/^http:\/\/localhost:8080\/interaction\/account\/invitation\?token=/);
      user = await newPage();
      await user.goto(mail.link!);
      await expectAccessible(user);
      await saveAcceptanceScreenshot(user, 'mail-invitation-set-password');
      await choosePassword(user, invitee.password, 'Password set');

      await user.goto(`${CONSOLE}/users`);
      await signIn(user, invitee.username, invitee.password);
      expect(new URL(user.url()).pathname).toMatch(/^\/admin/);
      await admin.reload();
      await expect.poll(() => admin.getByText('Email address verified.').isVisible()).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'resets a forgotten password from the sign-in page: same answer for any address, then the new password works',
    async () => {
      const page = await newPage();
      user = page;
      await page.goto(`${CONSOLE}/users`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.waitForURL(/\/interaction\/account\/forgot$/);
      await page.locator('#email').waitFor();
      await expectAccessible(page);
      await page.locator('#email').fill(invitee.email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
      expect(await page.getByRole('status').textContent()).toContain('If an account exists for that address');
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, 'mail-reset-requested');

      const mail = await smtp.waitForMail(invitee.email, { skip: 1 });
      expect(mail.subject).toBe('Reset your password');
      await page.goto(mail.link!);
      await expectAccessible(page);
      await choosePassword(page, invitee.newPassword, 'Password changed');

      await page.goto(mail.link!);
      expect(await page.locator('h1').textContent()).toBe('This link no longer works');
      await page.goto(`${CONSOLE}/users`);
      await signIn(page, invitee.username, invitee.newPassword);
      expect(new URL(page.url()).pathname).toMatch(/^\/admin/);
    },
    STEP_TIMEOUT,
  );
});
