import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT } from '../platform-process.ts';

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
