// The console's Overview and System pages, end to end: the platform started the way the README starts it
// (bash scripts/start.sh), driven through the gateway by real Chromium, once per database dialect. The admin
// signs in (a sign-in and tokens), strangers fail to sign in many times, and then the Overview shows
// non-zero figures, drawn charts and every component's health over 24 hours and 7 days; System lists all
// six services and the gateway's upstreams as ready, warns about the failing sign-ins and refreshes itself
// without a navigation. axe-core runs on both pages; the Overview is saved in light and dark as artifacts.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;
const VIEWPORT = { width: 1440, height: 900 };
/** More than the System page's threshold (20 attempts, over a fifth failing). */
const FAILED_SIGN_INS = 24;
const SERVICES = [
  'oauth-service',
  'flow-service',
  'kline-service',
  'test-service',
  'admin-portal',
  'account-portal',
];
const UPSTREAMS = [
  'account-portal',
  'admin-portal',
  'flow-service',
  'kline-service',
  'oauth-service',
  'test-service',
];

const figure = async (page: Page, label: string) =>
  Number((await page.getByTestId(`figure-${label}`).locator('p').nth(1).textContent())?.replace(/,/g, ''));

describeEachDialect('admin-portal Overview and System in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `overview-console-${suffix}-Horse-7`;
  let adminContext: BrowserContext;
  let admin: Page;
  let stranger: Page | undefined;
  let dark: Page | undefined;
  const platform = registerConsolePlatform(temp, {
    name: 'overview',
    adminPassword,
    databases: ['flow'],
    // The failed attempts below all come from this machine; the per-address limit would refuse them early.
    env: { LOGIN_IP_LIMIT_PER_MINUTE: '1000' },
    pages: () => ({ admin, stranger, dark }),
  });

  beforeAll(async () => {
    adminContext = await platform.browser.newContext({ viewport: VIEWPORT });
    admin = await adminContext.newPage();
  });

  it(
    'signs the admin in, then lets strangers fail to sign in many times',
    async () => {
      await admin.goto(`${CONSOLE}/`);
      await admin.getByRole('link', { name: 'Sign in' }).click();
      await signIn(admin, 'admin', adminPassword);
      expect(new URL(admin.url()).pathname).toMatch(/^\/admin\/?$/);

      const strangerContext = await platform.browser.newContext();
      stranger = await strangerContext.newPage();
      await stranger.goto(`${CONSOLE}/`);
      await stranger.getByRole('link', { name: 'Sign in' }).click();
      for (let attempt = 0; attempt < FAILED_SIGN_INS; attempt += 1) {
        await stranger.locator('#login').fill(`nobody-${suffix}-${attempt}`);
        await stranger.locator('#password').fill('not-a-password-at-all');
        await stranger.getByRole('button', { name: 'Sign in' }).click();
        await stranger.waitForLoadState('load');
      }
      expect(new URL(stranger.url()).pathname).toMatch(/^\/interaction\//);
      await strangerContext.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'shows figures, drawn charts and the health of every component on the Overview, over 24 hours and 7 days',
    async () => {
      await admin.goto(`${CONSOLE}/`);
      await expect
        .poll(() => admin.getByRole('heading', { name: 'Overview', level: 2 }).isVisible())
        .toBe(true);
      expect(await figure(admin, 'Sign-ins')).toBeGreaterThanOrEqual(1);
      expect(await figure(admin, 'Failed sign-ins')).toBe(FAILED_SIGN_INS);
      expect(await figure(admin, 'Tokens issued')).toBeGreaterThanOrEqual(1);
      expect(await figure(admin, 'Active users')).toBe(1);
      // Each chart is drawn (an SVG with bars or a line) once the page is hydrated.
      for (const chart of ['chart-sign-ins', 'chart-tokens', 'chart-users'])
        await expect.poll(() => admin.getByTestId(chart).locator('svg.recharts-surface').count()).toBe(1);
      await expect
        .poll(() => admin.locator('[data-testid=chart-sign-ins] .recharts-bar-rectangle').count())
        .toBeGreaterThan(0);
      for (const name of [...SERVICES, 'gateway'])
        expect(
          await admin.getByTestId(`health-${name}`).locator('[data-state]').getAttribute('data-state'),
        ).toBe('ok');
      expect(await admin.getByTestId('sign-in-warning').isVisible()).toBe(true);
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'overview-light');

      await admin.getByRole('link', { name: '7 days' }).click();
      await admin.waitForURL((url) => url.searchParams.get('range') === '7d');
      await expect.poll(() => admin.getByText('Activity of the last 7 days').isVisible()).toBe(true);
      expect(await admin.getByRole('link', { name: '7 days' }).getAttribute('aria-current')).toBe('page');
      expect(await figure(admin, 'Failed sign-ins')).toBe(FAILED_SIGN_INS);

      const darkContext = await platform.browser.newContext({
        viewport: VIEWPORT,
        colorScheme: 'dark',
        storageState: await adminContext.storageState(),
      });
      dark = await darkContext.newPage();
      await dark.goto(`${CONSOLE}/`);
      await expect
        .poll(() => dark!.getByTestId('chart-tokens').locator('svg.recharts-surface').count())
        .toBe(1);
      await expectAccessible(dark);
      await saveAcceptanceScreenshot(dark, 'overview-dark');
      await darkContext.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'lists all six services and the upstreams as ready on System, warns about failing sign-ins, and refreshes itself',
    async () => {
      await admin.goto(`${CONSOLE}/system`);
      const services = admin.getByTestId('services').locator('tr');
      await expect.poll(() => services.count()).toBe(SERVICES.length);
      for (const [i, name] of SERVICES.entries()) {
        expect(await services.nth(i).locator('td').first().textContent()).toBe(name);
        expect(await services.nth(i).locator('td').nth(1).textContent()).toBe('ready');
      }
      const upstreams = admin.getByTestId('upstreams').locator('tr');
      expect(await upstreams.locator('td:first-child').allTextContents()).toEqual(UPSTREAMS);
      for (const state of await upstreams
        .locator('[data-state]')
        .evaluateAll((badges) => badges.map((b) => b.getAttribute('data-state'))))
        expect(state).toBe('ok');
      const warning = admin.getByTestId('sign-in-warning');
      expect(await warning.textContent()).toContain(`${FAILED_SIGN_INS} of `);
      await expectAccessible(admin);

      // A marker a reload would wipe: the refresh replaces the readings, not the document.
      await admin.evaluate('window.__stillTheSameDocument = true');
      const before = await admin.getByTestId('updated-at').getAttribute('datetime');
      await expect
        .poll(() => admin.getByTestId('updated-at').getAttribute('datetime'), {
          timeout: 25_000,
          interval: 1_000,
        })
        .not.toBe(before);
      expect(await admin.evaluate('window.__stillTheSameDocument')).toBe(true);
      expect(new URL(admin.url()).pathname).toBe('/admin/system');
    },
    STEP_TIMEOUT,
  );
});
