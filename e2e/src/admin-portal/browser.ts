import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../platform-process.ts';
import { expectAccessible } from './page-checks.ts';

// Debian's Chromium driven by playwright-core (Playwright's own browser download is not available here;
// scripts/test.sh installs the package). Flags: no sandbox (root in CI), and nothing that phones home.

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts', 'admin-portal');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Screenshots of every open page, for a failed test; returns the folder. */
export async function saveScreenshots(pages: Array<{ name: string; page: Page | undefined }>, test: string) {
  const dir = join(ARTIFACTS, test.replace(/[^\w.-]+/g, '_').slice(0, 120));
  mkdirSync(dir, { recursive: true });
  for (const { name, page } of pages) {
    if (!page || page.isClosed()) continue;
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true }).catch(() => undefined);
  }
  return dir;
}

/**
 * Goes through oauth-service's pages (sign-in, forced password change) back to the console. The console is a
 * first-party client: a consent page on the way is a defect, and fails the test. Each page
 * on the way is checked with axe-core.
 */
export async function signIn(
  page: Page,
  login: string,
  password: string,
  newPassword?: string,
  /** Where the console lives (the account console: `/account`). */
  home = '/admin',
) {
  await expectAccessible(page);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  for (let step = 0; step < 4; step += 1) {
    await page.waitForLoadState('load');
    if (new URL(page.url()).pathname.startsWith(home)) return;
    const heading = (await page.locator('h1').first().textContent())?.trim();
    if (heading === 'Choose a new password' || heading === 'Allow access?') await expectAccessible(page);
    if (heading === 'Choose a new password') {
      if (!newPassword) throw new Error(`unexpected password change for ${login}`);
      await page.locator('#current').fill(password);
      await page.locator('#password').fill(newPassword);
      await page.locator('#confirm').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
    } else if (heading === 'Allow access?') {
      throw new Error(`the console asked ${login} for consent: a first-party client never shows that page`);
    } else {
      await page.waitForURL((url) => url.pathname.startsWith(home), { timeout: 5_000 });
    }
  }
  await page.waitForURL((url) => url.pathname.startsWith(home));
}

/** Sets a resource server's access token lifetime on its console page (as an administrator would). */
export async function setAccessTokenLifetime(
  page: Page,
  consoleUrl: string,
  resource: string,
  seconds: number,
) {
  await page.goto(`${consoleUrl}/resource-servers`);
  await page.getByRole('link', { name: resource, exact: true }).click();
  await page.waitForURL(/\/admin\/resource-servers\/[^/]+$/);
  await page.locator('#field-access_token_ttl').fill(String(seconds));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => page.getByText('Resource server saved.').isVisible()).toBe(true);
}
