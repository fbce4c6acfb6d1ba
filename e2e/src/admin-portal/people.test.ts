// People, not ids, in the console: the platform started the way the README starts it (bash scripts/start.sh),
// driven through the gateway by real Chromium, once per database dialect. The admin creates a user and starts
// a workflow run; the audit log names actors, targets and clients (linked to their pages, no id where a name
// exists), the run says who started it, and the audit record of the console action carries the browser's
// User-Agent rather than the portal server's. A failing step saves screenshots and the platform log under
// e2e/artifacts/admin-portal/.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const RUN_PATH = /^\/admin\/workflows\/runs\/([^/]+)$/;

describeEachDialect('admin-portal names people, not ids, in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `people-console-${suffix}-Horse-7`;
  const newcomer = { username: `newcomer-${suffix}`, password: `orbit-${suffix}-lantern-canyon-4` };
  let admin: Page;
  let browserUserAgent = '';
  let newcomerId = '';
  const platform = registerConsolePlatform(temp, {
    name: 'people',
    adminPassword,
    databases: ['flow'],
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    admin = await platform.newPage();
    browserUserAgent = await admin.evaluate(() => navigator.userAgent);
  });

  it(
    'the admin signs in, creates a user and starts a run',
    async () => {
      await admin.goto(`${CONSOLE}/users/new`);
      await signIn(admin, 'admin', adminPassword);
      await admin.goto(`${CONSOLE}/users/new`);
      await admin.locator('#field-username').fill(newcomer.username);
      await admin.locator('#field-email').fill(`${newcomer.username}@example.com`);
      await admin.locator('#field-password').fill(newcomer.password);
      await admin.getByRole('button', { name: 'Create user' }).click();
      await admin.waitForURL((url) => UUID.test(url.pathname));
      newcomerId = decodeURIComponent(new URL(admin.url()).pathname.split('/').pop()!);

      await admin.goto(`${CONSOLE}/workflows`);
      await admin.getByRole('button', { name: 'Start a run of approval-demo' }).click();
      const dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Input (JSON)').fill('{"change": "people"}');
      await dialog.getByRole('button', { name: 'Start', exact: true }).click();
      await admin.waitForURL((url) => RUN_PATH.test(url.pathname));
    },
    STEP_TIMEOUT * 2,
  );

  it(
    'the run says it was started by admin, linked to the user page, whose sessions show the browser',
    async () => {
      const runPage = admin.url();
      const startedBy = admin.getByTestId('run-started-by');
      await expect.poll(() => startedBy.textContent()).toBe('Run started by admin');
      const href = await startedBy.getByRole('link', { name: 'admin' }).getAttribute('href');
      expect(href).toMatch(/^\/admin\/users\/[0-9a-f-]{36}$/);

      // The starter's page lists their sign-in session with its device and address, not just times.
      await startedBy.getByRole('link', { name: 'admin' }).click();
      await admin.waitForURL((url) => url.pathname === href);
      const sessions = admin.getByTestId('user-sessions');
      expect(await sessions.textContent()).toMatch(/Chrome on Linux/);
      expect(await sessions.locator('[title]').first().getAttribute('title')).toBe(browserUserAgent);

      await admin.goto(`${CONSOLE}/workflows/runs`);
      expect((await admin.getByTestId('runs').textContent()) ?? '').toContain('api · admin');

      // axe-core on every page seen, once what it says is checked.
      for (const page of [runPage, `http://localhost:8080${href}`, `${CONSOLE}/workflows/runs`]) {
        await admin.goto(page);
        await expectAccessible(admin);
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'the audit log names actors, targets and clients, linked to their pages, with no id where a name exists',
    async () => {
      await admin.goto(`${CONSOLE}/audit`);
      const rows = admin.getByTestId('audit-events').locator('tr');
      expect(await rows.count()).toBeGreaterThan(3);
      for (const actor of await admin.getByTestId('audit-actor').allTextContents())
        expect(actor).not.toMatch(UUID);
      const text = (await admin.getByTestId('audit-events').textContent()) ?? '';
      expect(text).not.toMatch(UUID);
      // The console's own client acts for token events; users act for their changes.
      expect(text).toContain('Platform console');

      const created = rows.filter({ hasText: 'user.create' }).first();
      const cells = created.locator('td');
      expect(await cells.nth(1).getByRole('link', { name: 'admin' }).getAttribute('href')).toMatch(
        /^\/admin\/users\/[0-9a-f-]{36}$/,
      );
      expect(await cells.nth(3).getByRole('link', { name: newcomer.username }).getAttribute('href')).toBe(
        `/admin/users/${newcomerId}`,
      );
      expect(await cells.nth(4).getByRole('link', { name: 'Platform console' }).getAttribute('href')).toBe(
        '/admin/clients/admin-portal',
      );
      await saveAcceptanceScreenshot(admin, `people-audit-${temp().dialect}`);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    "the audit record of the console's user.create carries Chromium's User-Agent, not the portal server's",
    async () => {
      await admin.goto(`${CONSOLE}/audit?action=user.create`);
      await admin.getByTestId('audit-events').locator('tr').first().getByRole('link').first().click();
      await admin.waitForURL(/\/admin\/audit\/\d+$/);
      const agent = admin.getByRole('row', { name: /User agent/ }).locator('td');
      expect(await agent.textContent()).toBe(browserUserAgent);
      expect(browserUserAgent).toContain('Chrome');
      const address = await admin
        .getByRole('row', { name: /IP address/ })
        .locator('td')
        .textContent();
      expect(address).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );
});
