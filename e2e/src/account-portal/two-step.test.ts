// Two-step verification with an authenticator app, end to end: the platform started the way the README
// starts it (bash scripts/start.sh), driven through the gateway by real Chromium, once per database dialect.
// A user enrols TOTP in the account console, reading the key off the page, and keeps the recovery codes;
// signs out; then signs in to an application with password + code. The codes are computed by
// @platform/testing's RFC 6238 implementation (node:crypto only, checked against RFC 6238 Appendix B), not
// by the library oauth-service uses. The user's role needs no second factor, so the application asks for one
// with `acr_values=urn:platform:acr:mfa` (step-up): that is what brings up the second-factor page here. A
// reused code and a wrong code are refused there, and a recovery code works once.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { authorizationRequest, createClient, createUserWithRole } from '../admin-portal/admin-api.ts';
import { signIn } from '../admin-portal/browser.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import { idTokenClaims } from '../oauth/chromium-sign-in.ts';
import {
  ACCOUNT,
  confirmAction,
  ORIGIN,
  registerAccountPlatform,
  signOutOfAccount,
} from './account-suite.ts';

const CALLBACK = `${ORIGIN}/partner/callback`;
const ACR_MFA = 'urn:platform:acr:mfa';
const STEP_TIMEOUT = 120_000;

/** Waits until the clock is past `step`: a code of a step already used is refused, as a user would find. */
async function codeAfter(secret: string, step: number): Promise<{ code: string; step: number }> {
  while (currentStep() <= step) await new Promise((resolve) => setTimeout(resolve, 500));
  const now = currentStep();
  return { code: totpAtStep(secret, now), step: now };
}

describeEachDialect('account-portal two-step verification in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const user = { username: `tess-${suffix}`, password: `meadow-${suffix}-quartz-river-4` };
  let partner = { id: '', secret: '' };
  let page: Page;
  let signInPage: Page | undefined;
  let secret = '';
  let recoveryCodes: string[] = [];
  let lastStep = 0;
  let usedCode = '';

  const platform = registerAccountPlatform(temp, {
    name: 'two-step',
    pages: () => ({ account: page, 'sign-in': signInPage }),
  });

  beforeAll(async () => {
    const admin = await platform.adminToken();
    await createUserWithRole(
      admin,
      { ...user, email: `${user.username}@example.com`, must_change_password: false },
      'user',
    );
    partner = await createClient(admin, {
      name: `Ledger ${suffix}`,
      type: 'confidential',
      grant_types: ['authorization_code'],
      redirect_uris: [CALLBACK],
      scope: ['openid', 'profile'],
    });
    page = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  });

  /** A new browser (no sign-in session) at the application's sign-in asking for two factors; the password typed. */
  async function passwordAt(heading: string) {
    signInPage = await platform.newPage({ bypassCSP: true });
    const request = authorizationRequest({
      client_id: partner.id,
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      acr_values: ACR_MFA,
      prompt: 'consent',
    });
    await signInPage.goto(request.url);
    await signInPage.locator('#login').fill(user.username);
    await signInPage.locator('#password').fill(user.password);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signInPage!.getByRole('heading', { name: heading }).isVisible()).toBe(true);
    return { page: signInPage, verifier: request.verifier };
  }

  const passwordThenSecondFactor = () => passwordAt('Two-step verification');
  const passwordThenEnrolment = () => passwordAt('Set up two-step verification');

  async function submitCode(target: Page, code: string) {
    await target.locator('#code').fill(code);
    await target.getByRole('button', { name: 'Verify' }).click();
    await target.waitForLoadState('load');
  }

  async function expectRefused(target: Page) {
    await expect.poll(() => target.getByText('That code is not valid.').isVisible()).toBe(true);
    expect(await target.getByRole('heading', { name: 'Two-step verification' }).isVisible()).toBe(true);
  }

  /** Past the consent page, at the callback: the ID token's claims. */
  async function finishAtCallback(target: Page, verifier: string) {
    const allow = target.getByRole('button', { name: 'Allow' });
    await target.waitForURL(
      (url) => url.href.startsWith(`${CALLBACK}?`) || url.pathname.includes('/interaction/'),
    );
    if (!target.url().startsWith(CALLBACK)) await allow.click();
    await target.waitForURL((url) => url.href.startsWith(`${CALLBACK}?`));
    return idTokenClaims({ clientId: partner.id, secret: partner.secret }, new URL(target.url()), verifier);
  }

  it(
    'enrols an authenticator app in the account console: key and QR code once, a first code, ten recovery codes',
    async () => {
      await page.goto(`${ACCOUNT}/two-step`);
      await signIn(page, user.username, user.password, undefined, '/account');
      await page.getByRole('link', { name: 'Two-step verification' }).click();
      await page.waitForURL(`${ACCOUNT}/two-step`);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const key = page.getByTestId('totp-secret');
      await expect.poll(() => key.isVisible()).toBe(true);
      secret = (await key.textContent())!.replace(/\s+/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.getByRole('img', { name: /QR code/ }).isVisible()).toBe(true);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-two-step-qr-${temp().dialect}`);

      // A wrong first code is refused on the field; the key stays for the next try.
      await page.getByLabel('Code from your app').fill(totpAtStep(secret, currentStep() + 10));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => page.getByText('is not the current code of your app').isVisible()).toBe(true);
      expect(await key.isVisible()).toBe(true);

      lastStep = currentStep();
      await page.getByLabel('Code from your app').fill(totpAtStep(secret, lastStep));
      await page.getByRole('button', { name: 'Confirm' }).click();
      const codes = page.getByTestId('recovery-codes').locator('code');
      await expect.poll(() => codes.count()).toBe(10);
      recoveryCodes = await codes.allTextContents();
      expect(recoveryCodes.every((code) => /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/.test(code))).toBe(true);
      const download = page.getByRole('link', { name: 'Download as text' });
      expect(decodeURIComponent((await download.getAttribute('href'))!)).toContain(recoveryCodes[0]);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, `account-two-step-codes-${temp().dialect}`);

      // Once saved, the page shows the app as on; neither the key nor the codes are shown again.
      await page.getByRole('button', { name: 'I saved my codes' }).click();
      await expect.poll(() => page.getByText('10 of 10 codes left', { exact: false }).isVisible()).toBe(true);
      expect(await page.content()).not.toContain(secret);
      expect(await page.content()).not.toContain(recoveryCodes[0]);
      await expectAccessible(page);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out, then signs in to an application asking two factors with password + code; amr says so',
    async () => {
      await signOutOfAccount(page);
      const { page: target, verifier } = await passwordThenSecondFactor();
      await expectAccessible(target);
      const fresh = await codeAfter(secret, lastStep);
      lastStep = fresh.step;
      usedCode = fresh.code;
      await submitCode(target, usedCode);
      const claims = await finishAtCallback(target, verifier);
      expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
      expect(claims.acr).toBe(ACR_MFA);
    },
    STEP_TIMEOUT,
  );

  it(
    'refuses a reused code and a wrong code; a recovery code signs in once, and not twice',
    async () => {
      const { page: target, verifier } = await passwordThenSecondFactor();
      await submitCode(target, usedCode);
      await expectRefused(target);
      await submitCode(target, usedCode === '000000' ? '111111' : '000000');
      await expectRefused(target);
      await expectAccessible(target);
      await submitCode(target, recoveryCodes[0]!);
      const claims = await finishAtCallback(target, verifier);
      expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));

      const again = await passwordThenSecondFactor();
      await submitCode(again.page, recoveryCodes[0]!);
      await expectRefused(again.page);
      await submitCode(again.page, recoveryCodes[1]!);
      await finishAtCallback(again.page, again.verifier);
    },
    STEP_TIMEOUT,
  );

  it(
    'shows the codes left; new codes after a confirmation replace the old ones; the app is removed after one',
    async () => {
      await page.goto(`${ACCOUNT}/two-step`);
      await signIn(page, user.username, user.password, undefined, '/account');
      await page.goto(`${ACCOUNT}/two-step`);
      await expect.poll(() => page.getByText('8 of 10 codes left', { exact: false }).isVisible()).toBe(true);

      await confirmAction(page, 'Make new recovery codes', 'Make new codes');
      const codes = page.getByTestId('recovery-codes').locator('code');
      await expect.poll(() => codes.count()).toBe(10);
      const fresh = await codes.allTextContents();
      expect(fresh).not.toContain(recoveryCodes[2]);
      await expect.poll(() => page.getByText('10 of 10 codes left', { exact: false }).isVisible()).toBe(true);
      await expectAccessible(page);

      await confirmAction(page, 'Remove the app', 'Remove');
      await expect
        .poll(() => page.getByRole('button', { name: 'Set up an authenticator app' }).isVisible())
        .toBe(true);
      // Without a factor the application's two-factor sign-in now asks the user to enrol one.
      await passwordThenEnrolment();
    },
    STEP_TIMEOUT,
  );
});
