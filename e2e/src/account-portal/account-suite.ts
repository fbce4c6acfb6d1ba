// What the account console's browser suites share: the platform with the seeded admin's password and the
// admin console's client secret set (so a suite creates its users and clients through the admin API), the
// header's sign-out, and confirmation dialogs.
import { randomBytes } from 'node:crypto';
import type { TempDatabase } from '@platform/db/temp-database';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { adminApiToken } from '../admin-portal/admin-api.ts';
import {
  type ConsolePlatform,
  type ConsolePlatformOptions,
  registerConsolePlatform,
} from '../admin-portal/console-platform.ts';
import { expectAccessible } from '../admin-portal/page-checks.ts';

export const ORIGIN = 'http://localhost:8080';
export const ACCOUNT = `${ORIGIN}/account`;

export interface AccountPlatform extends ConsolePlatform {
  /** The seeded admin's admin API token. */
  adminToken(): Promise<string>;
}

/** registerConsolePlatform for an account console suite; it waits until the gateway routes to both consoles. */
export function registerAccountPlatform(
  temp: () => TempDatabase,
  options: Pick<ConsolePlatformOptions, 'name' | 'pages'> & { env?: Record<string, string> },
): AccountPlatform {
  const adminPassword = `${options.name}-${randomBytes(3).toString('hex')}-Harbor-7`;
  const portalSecret = `${options.name}-e2e-portal-${randomBytes(24).toString('base64url')}`;
  const platform = registerConsolePlatform(temp, {
    ...options,
    adminPassword,
    env: { ...options.env, OAUTH_CLIENT_SECRET: portalSecret },
    waitForUrls: [`${ORIGIN}/admin/`, `${ACCOUNT}/`],
  });
  return Object.assign(platform, { adminToken: () => adminApiToken('admin', adminPassword, portalSecret) });
}

/** Signs out with the header's button, back to the signed-out home page. */
export async function signOutOfAccount(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.href === `${ACCOUNT}/` || url.href === ACCOUNT);
}

/** Clicks a destructive action's button, then confirms in the dialog (checked with axe while open): its text. */
export async function confirmAction(page: Page, button: string, confirm = button): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expectAccessible(page);
  const text = (await dialog.textContent()) ?? '';
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
  return text;
}
