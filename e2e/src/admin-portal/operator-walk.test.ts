// A new operator's first walk through the console, as one story per database dialect, with the platform
// started the way the README starts it: sign in, create a user with role viewer, create a client and copy its
// secret, find a failed sign-in in the audit log, start and approve `approval-demo`, sign out. The walk needs
// one sign-in screen and one sign-out click, and no page on the way shows an id where a name exists.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible } from './page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const CONSOLE = `${ORIGIN}/admin`;
const STEP_TIMEOUT = 90_000;
const SLOW = { timeout: 20_000 };

describeEachDialect("a new operator's walk through the console", (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `operator-walk-${suffix}-Lantern-5`;
  const newcomer = { username: `newcomer-${suffix}`, password: `quiet-${suffix}-river-stone-8` };
  const clientName = `Walk app ${suffix}`;
  let context: BrowserContext;
  let page: Page;
  /** Ids that have a name: no page may show them as text. */
  const namedIds = new Set<string>();
  /** Documents of oauth-service's interaction pages (sign-in, password change, consent) the operator saw. */
  const interactionScreens: string[] = [];
  const platform = registerConsolePlatform(temp, {
    name: 'operator-walk',
    adminPassword,
    databases: ['flow'],
    pages: () => ({ operator: page }),
  });

  /** Opens a console page and checks it: accessible, and no named thing shown by its id. */
  async function visit(path: string) {
    const response = await page.goto(`${CONSOLE}${path}`);
    expect(response?.ok(), path).toBe(true);
    await expectNoIds();
  }

  async function expectNoIds() {
    // biome-ignore lint/performance/useDomNodeTextContent: what the operator sees, not hidden markup
    const text = await page.locator('main').innerText();
    for (const id of namedIds) expect(text, `${new URL(page.url()).pathname} shows ${id}`).not.toContain(id);
    await expectAccessible(page);
  }

  beforeAll(async () => {
    context = await platform.browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    page = await context.newPage();
    page.on('load', () => {
      if (new URL(page.url()).pathname.startsWith('/interaction/')) interactionScreens.push(page.url());
    });
  });

  it(
    'signs in on one screen: no password change, no consent for the console',
    async () => {
      await page.goto(`${CONSOLE}/`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
      await expectAccessible(page);
      await page.locator('#login').fill('admin');
      await page.locator('#password').fill(adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/admin'), SLOW);
      expect(interactionScreens).toHaveLength(1);
      await expect.poll(() => page.getByTestId('signed-in-user').textContent()).toContain('(admin)');
      await visit('/users');
      const adminHref = await page.getByRole('link', { name: 'admin', exact: true }).getAttribute('href');
      namedIds.add(decodeURIComponent(adminHref!.split('/').pop()!));
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a user with role viewer',
    async () => {
      await visit('/users/new');
      await page.locator('#field-username').fill(newcomer.username);
      await page.locator('#field-email').fill(`${newcomer.username}@example.com`);
      await page.locator('#field-password').fill(newcomer.password);
      await page.locator('#field-must_change_password').uncheck();
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.waitForURL((url) => /^\/admin\/users\/(?!new$)[^/]+$/.test(url.pathname), SLOW);
      namedIds.add(decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!));
      await page.getByLabel('Add a role').selectOption({ label: 'viewer' });
      await page.getByRole('button', { name: 'Assign role' }).click();
      await expect.poll(() => page.getByTestId('user-roles').textContent(), SLOW).toContain('viewer');
      await expectNoIds();
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a client and copies its secret',
    async () => {
      await visit('/clients/new');
      await page.locator('#field-name').fill(clientName);
      await page.locator('#field-redirect_uris').fill('https://walk.example.com/callback');
      await page.getByRole('button', { name: 'Create client' }).click();
      const secret = page.getByTestId('client-secret-value');
      await secret.waitFor(SLOW);
      await page.getByRole('button', { name: 'Copy' }).click();
      const copied = await page.evaluate('navigator.clipboard.readText()');
      expect(copied).toBe((await secret.textContent())!.trim());
      await page.getByRole('button', { name: 'Done, I stored it' }).click();
      await page.waitForURL(/\/admin\/clients\/[^/]+$/, SLOW);
      await page.getByRole('heading', { name: clientName, level: 2 }).waitFor(SLOW);
      await expectNoIds();
      await visit('/clients');
      expect(await page.getByRole('link', { name: clientName }).isVisible()).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'finds a failed sign-in in the audit log, named by its user',
    async () => {
      const other = await platform.browser.newContext();
      const visitor = await other.newPage();
      await visitor.goto(`${CONSOLE}/users`);
      await visitor.locator('#login').fill(newcomer.username);
      await visitor.locator('#password').fill('not-the-password-at-all');
      await visitor.getByRole('button', { name: 'Sign in' }).click();
      await visitor.waitForLoadState('load');
      await other.close();

      await visit('/audit?action=login.failure');
      const row = page.locator('tbody tr').filter({ hasText: 'login.failure' }).first();
      await row.waitFor(SLOW);
      expect(await row.textContent()).toContain(newcomer.username);
    },
    STEP_TIMEOUT,
  );

  it(
    'starts approval-demo and approves it without hunting for the step',
    async () => {
      await visit('/workflows');
      await page.getByRole('button', { name: 'Start a run of approval-demo' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Input (JSON)').fill(JSON.stringify({ change: `walk ${suffix}` }));
      await dialog.getByRole('button', { name: 'Start', exact: true }).click();
      await page.waitForURL(/\/admin\/workflows\/runs\/[^/]+$/, SLOW);
      const approve = page.getByRole('button', { name: 'Approve', exact: true }).first();
      await approve.waitFor(SLOW);
      expect(await page.locator('main').textContent()).toContain('started by admin');
      await approve.click();
      await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
      await expect
        .poll(() => page.getByTestId('run-state').getAttribute('data-state'), SLOW)
        .toBe('succeeded');
      await expectNoIds();
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out with one click',
    async () => {
      await visit('/');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/', SLOW);
      expect(await page.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
      expect((await context.cookies(CONSOLE)).some((c) => c.name === 'portal_session')).toBe(false);
      // Still one sign-in screen for the whole walk: signing out asked nothing.
      expect(interactionScreens).toHaveLength(1);
    },
    STEP_TIMEOUT,
  );
});
