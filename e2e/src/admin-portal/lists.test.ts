// The console's lists, end to end: the platform started the way the README starts it (bash scripts/start.sh),
// driven through the gateway by real Chromium, once per database dialect. The admin creates more users than a
// page holds, sorts them by username descending from the column header, pages forward and back with the
// sort kept, exports the users as CSV (a download; every matching user, in order, no password hash), filters
// the audit log by action and exports it (only matching events), and sorts the clients. axe-core checks
// every page. A failing step saves screenshots and the platform log under e2e/artifacts/admin-portal/.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 180_000;
// One more than the users page holds, so there is a second page.
const USER_COUNT = 26;
// Not containing any of the usernames (the password policy refuses that).
const PASSWORD = 'violet-harbor-lantern-9';

/** RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}

/** Clicks a download link and returns the downloaded file's name and text. */
async function download(page: Page, linkName: string) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}

/** The usernames in the users table, top to bottom. */
const listedUsernames = (page: Page) => page.locator('tbody tr td:first-child').allTextContents();

describeEachDialect('admin-portal lists: sorting, paging and CSV export in Chromium', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `lists-console-${suffix}-Horse-7`;
  const prefix = `lst${suffix}`;
  const usernames = Array.from(
    { length: USER_COUNT },
    (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`,
  );
  let admin: Page;
  const platform = registerConsolePlatform(temp, { name: 'lists', adminPassword, pages: () => ({ admin }) });

  beforeAll(async () => {
    admin = await platform.newPage({ viewport: { width: 1440, height: 900 } });
  });

  it(
    'signs in and creates more users than a page holds',
    async () => {
      await admin.goto(`${CONSOLE}/users`);
      await signIn(admin, 'admin', adminPassword);
      expect(new URL(admin.url()).pathname).toBe('/admin/users');
      // In shuffled order, so neither creation order nor id order can pass for a sort by username.
      const shuffled = [...usernames].sort((a, b) => (a.slice(-1) + a).localeCompare(b.slice(-1) + b));
      for (const username of shuffled) {
        await admin.goto(`${CONSOLE}/users/new`);
        await admin.locator('#field-username').fill(username);
        await admin.locator('#field-email').fill(`${username}@example.com`);
        await admin.locator('#field-password').fill(PASSWORD);
        await admin.locator('#field-must_change_password').uncheck();
        await admin.getByRole('button', { name: 'Create user' }).click();
        await admin.waitForURL(
          (url) => /^\/admin\/users\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'),
        );
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'sorts users by username descending from the header, and pages forward and back keeping the sort',
    async () => {
      await admin.goto(`${CONSOLE}/users?search=${prefix}`);
      const header = admin.getByRole('columnheader', { name: /Username/ });
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
      expect(await listedUsernames(admin)).toEqual(usernames.slice(0, 25));
      await expectAccessible(admin);

      await header.getByRole('link').click();
      await admin.waitForURL(/order=desc/);
      const url = new URL(admin.url());
      expect(url.searchParams.get('sort')).toBe('username');
      expect(url.searchParams.get('search')).toBe(prefix);
      expect(await admin.getByRole('columnheader', { name: /Username/ }).getAttribute('aria-sort')).toBe(
        'descending',
      );
      expect(await admin.getByRole('columnheader', { name: /Email/ }).getAttribute('aria-sort')).toBe('none');
      const descending = [...usernames].reverse();
      expect(await listedUsernames(admin)).toEqual(descending.slice(0, 25));
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'users-sorted-by-username-descending');

      await admin.getByRole('link', { name: 'Next page' }).click();
      await admin.waitForURL(/cursor=/);
      await expect.poll(() => listedUsernames(admin)).toEqual(descending.slice(25));
      expect(new URL(admin.url()).searchParams.get('order')).toBe('desc');
      expect(await admin.getByRole('link', { name: 'Next page' }).count()).toBe(0);
      await expectAccessible(admin);

      await admin.getByRole('link', { name: 'Previous page' }).click();
      await expect.poll(() => listedUsernames(admin)).toEqual(descending.slice(0, 25));
      expect(new URL(admin.url()).searchParams.get('cursor')).toBeNull();
    },
    STEP_TIMEOUT,
  );

  it(
    'exports every matching user as CSV, in the list order, without password hashes',
    async () => {
      await admin.goto(`${CONSOLE}/users?search=${prefix}&sort=username&order=desc`);
      const file = await download(admin, 'Export CSV');
      expect(file.name).toBe('users.csv');
      const [header, ...rows] = parseCsv(file.text);
      expect(header).toEqual([
        'id',
        'username',
        'email',
        'display_name',
        'status',
        'must_change_password',
        'failed_login_count',
        'locked_until',
        'last_login_at',
        'created_at',
        'updated_at',
      ]);
      expect(rows.map((row) => row[1])).toEqual([...usernames].reverse());
      expect(file.text).not.toMatch(/argon2|password_hash/);
    },
    STEP_TIMEOUT,
  );

  it(
    'filters the audit log by action, sorts it by time, and exports only the matching events',
    async () => {
      await admin.goto(`${CONSOLE}/audit`);
      await admin.getByLabel('Action', { exact: true }).fill('user.create');
      await admin.getByRole('button', { name: 'Filter' }).click();
      await admin.waitForURL(/action=user\.create/);
      const actions = () => admin.getByTestId('audit-events').locator('tr td:nth-child(3)').allTextContents();
      await expect.poll(async () => new Set(await actions())).toEqual(new Set(['user.create']));
      const time = admin.getByRole('columnheader', { name: /Time/ });
      expect(await time.getAttribute('aria-sort')).toBe('descending');
      await time.getByRole('link').click();
      await admin.waitForURL(/order=asc/);
      expect(await admin.getByRole('columnheader', { name: /Time/ }).getAttribute('aria-sort')).toBe(
        'ascending',
      );
      expect(new URL(admin.url()).searchParams.get('action')).toBe('user.create');
      await expectAccessible(admin);

      const file = await download(admin, 'Export CSV');
      expect(file.name).toBe('audit-log.csv');
      const [header, ...rows] = parseCsv(file.text);
      const action = header!.indexOf('action');
      expect(header!.slice(0, 3)).toEqual(['id', 'created_at', 'actor_type']);
      expect(new Set(rows.map((row) => row[action]))).toEqual(new Set(['user.create']));
      const created = rows.map((row) => JSON.parse(row[header!.indexOf('details')]!).username as string);
      expect(created.filter((name) => name.startsWith(prefix)).sort()).toEqual(usernames);
      // Oldest first, as the page was sorted.
      const ids = rows.map((row) => Number(row[0]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    },
    STEP_TIMEOUT,
  );

  it(
    'sorts clients by name from the header',
    async () => {
      await admin.goto(`${CONSOLE}/clients`);
      const names = () => admin.locator('tbody tr td:first-child').allTextContents();
      const ascending = await names();
      expect(ascending.length).toBeGreaterThan(1);
      expect(await admin.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe(
        'ascending',
      );
      await admin.getByRole('columnheader', { name: /Name/ }).getByRole('link').click();
      await admin.waitForURL(/order=desc/);
      await expect.poll(names).toEqual([...ascending].reverse());
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );
});
