// The console's acceptance test: the platform started the way the README starts it (bash scripts/start.sh),
// driven through the gateway by real Chromium, once per database dialect. One story, in order: the seeded
// admin signs in (forced password change), creates a user and a role and assigns it, creates a client and
// sees its secret once, the new user signs in elsewhere and sees only what the role allows, a user without
// admin permissions gets 403 pages, the admin signs the new user out everywhere and the user's next request
// fails, and every one of these actions is in the audit log. A failing step saves screenshots of every page
// under e2e/artifacts/admin-portal/ (git-ignored; the path is printed).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { setAccessTokenLifetime, signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;
const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;

/** Whether the page's background (the body's) is dark: its brightness (Rec. 709 weights) below mid-grey. */
async function isDarkBackground(page: Page): Promise<boolean> {
  const colour = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  const [r, g, b] = (String(colour).match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! < 128;
}

/** Clicks a destructive action's button, then confirms in the dialog. */
async function confirmAction(page: Page, button: string, confirm = button) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
}

describeEachDialect('admin-portal in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const viewer = { username: `viewer-${suffix}`, password: `staple-${suffix}-horse-battery-9` };
  const outsider = { username: `outsider-${suffix}`, password: `lantern-${suffix}-orbit-canyon-4` };
  const roleName = `auditor-${suffix}`;
  const adminNewPassword = `correct-horse-battery-${suffix}-7`;
  let adminContext: BrowserContext;
  let admin: Page;
  let viewerContext: BrowserContext | undefined;
  let viewerPage: Page | undefined;
  let outsiderPage: Page | undefined;
  let viewerId = '';
  let clientId = '';
  let clientSecret = '';
  // No adminPassword: the seed generates one, prints it once, and forces a change at first sign-in.
  const platform = registerConsolePlatform(temp, {
    name: 'console',
    pages: () => ({ admin, viewer: viewerPage, outsider: outsiderPage }),
  });

  beforeAll(async () => {
    adminContext = await platform.browser.newContext({ viewport: { width: 1440, height: 900 } });
    admin = await adminContext.newPage();
  });

  it(
    'signs in as the seeded admin, changing the generated password first',
    async () => {
      const firstPassword = /first password \(shown once[^)]*\): (\S+)/.exec(platform.output())?.[1];
      expect(firstPassword).toBeTruthy();
      const response = await admin.goto(`${CONSOLE}/users`);
      expect(response?.ok()).toBe(true);
      expect(new URL(admin.url()).pathname).toMatch(/^\/interaction\//);
      // One product name: the sign-in page names the console as the console names itself.
      expect(await admin.getByText('to continue to').locator('strong').textContent()).toBe(
        'Platform console',
      );
      await signIn(admin, 'admin', firstPassword!, adminNewPassword);
      expect(new URL(admin.url()).pathname).toBe('/admin/users');
      await expect.poll(() => admin.getByRole('heading', { name: 'Users', level: 2 }).isVisible()).toBe(true);
      expect(await admin.getByTestId('signed-in-user').textContent()).toContain('(admin)');
      await expectAccessible(admin);

      // Tokens stay on the server: the session cookie is httpOnly (invisible to JavaScript), the page holds
      // no JWT, and neither does it hold the portal's client secret.
      const cookies = await adminContext.cookies(CONSOLE);
      const session = cookies.find((c) => c.name === 'portal_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Lax');
      expect(await admin.evaluate('document.cookie')).not.toContain('portal_session');
      const html = await admin.content();
      expect(html).not.toMatch(JWT);
      const portalSecret = readFileSync(join(platform.dataDir, 'admin-portal-client-secret'), 'utf8').trim();
      expect(html).not.toContain(portalSecret);
      expect(html).not.toContain(session!.value);
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a user (refusing bad input first), a role with a permission, and assigns the role',
    async () => {
      for (const who of [viewer, outsider]) {
        await admin.goto(`${CONSOLE}/users/new`);
        await admin.locator('#field-username').fill(who.username);
        await admin.locator('#field-email').fill('not-an-email');
        await admin.locator('#field-password').fill(who.password);
        await admin.locator('#field-must_change_password').uncheck();
        await admin.getByRole('button', { name: 'Create user' }).click();
        // Checked in the browser before anything is sent.
        await expect.poll(() => admin.getByText('must be a valid email address').isVisible()).toBe(true);
        expect(new URL(admin.url()).pathname).toBe('/admin/users/new');
        if (who === viewer) await expectAccessible(admin);
        await admin.locator('#field-email').fill(`${who.username}@example.com`);
        await admin.getByRole('button', { name: 'Create user' }).click();
        await admin.waitForURL(/\/admin\/users\/[^/]+\?created=1$/);
        await expect.poll(() => admin.getByText(`User ${who.username} created.`).isVisible()).toBe(true);
        if (who === viewer) await expectAccessible(admin);
        if (who === viewer) viewerId = decodeURIComponent(new URL(admin.url()).pathname.split('/').pop()!);
      }
      // The creation notice belongs to the creation: the next action's message does not pile under it.
      await admin.getByRole('button', { name: 'Save profile' }).click();
      await expect.poll(() => admin.getByText('Profile saved.').isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await admin.getByText(`User ${outsider.username} created.`).count()).toBe(0);
      expect(new URL(admin.url()).search).toBe('');

      // The server refuses what only it can know (a taken username) with a readable message.
      await admin.goto(`${CONSOLE}/users/new`);
      await admin.locator('#field-username').fill(viewer.username);
      await admin.locator('#field-email').fill(`other-${suffix}@example.com`);
      await admin.locator('#field-password').fill(viewer.password);
      await admin.getByRole('button', { name: 'Create user' }).click();
      await expect
        .poll(() =>
          admin
            .getByRole('alert')
            .filter({ hasText: /already|taken|exists/i })
            .count(),
        )
        .toBe(1);
      await expectAccessible(admin);

      await admin.goto(`${CONSOLE}/roles`);
      await expectAccessible(admin);
      await admin.locator('#field-name').first().fill(roleName);
      await admin.locator('#field-description').first().fill('Reads the console, changes nothing');
      await admin.getByLabel('admin:read', { exact: true }).check();
      await admin.getByRole('button', { name: 'Create role' }).click();
      await admin.waitForURL(/\/admin\/roles\/[^/]+$/);
      expect(await admin.getByLabel('admin:read', { exact: true }).isChecked()).toBe(true);
      expect(await admin.getByLabel('admin:write', { exact: true }).isChecked()).toBe(false);
      await expectAccessible(admin);

      await admin.goto(`${CONSOLE}/users/${encodeURIComponent(viewerId)}`);
      // No role is chosen for the operator: one click must not grant one (let alone admin).
      expect(await admin.getByLabel('Add a role').inputValue()).toBe('');
      await admin.getByRole('button', { name: 'Assign role' }).click();
      await expect.poll(() => admin.getByText('Choose a role.').count()).toBeGreaterThan(0);
      expect(await admin.getByTestId('user-roles').textContent()).not.toContain('admin');
      await admin.getByLabel('Add a role').selectOption({ label: roleName });
      await admin.getByRole('button', { name: 'Assign role' }).click();
      await expect.poll(() => admin.getByTestId('user-roles').textContent()).toContain(roleName);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a client and shows its secret exactly once',
    async () => {
      await admin.goto(`${CONSOLE}/clients/new`);
      await expectAccessible(admin);
      await admin.locator('#field-name').fill(`E2E app ${suffix}`);
      await admin.locator('#field-redirect_uris').fill('http://example.com/callback');
      await admin.getByRole('button', { name: 'Create client' }).click();
      await expect
        .poll(() => admin.getByText('http is allowed only on loopback', { exact: false }).isVisible())
        .toBe(true);
      await expectAccessible(admin);
      await admin.locator('#field-redirect_uris').fill('https://app.example.com/callback');
      await admin.getByRole('button', { name: 'Create client' }).click();
      const secret = admin.getByTestId('client-secret-value');
      await secret.waitFor();
      clientSecret = (await secret.textContent())!.trim();
      expect(clientSecret).toMatch(/^[\w-]{43}$/);
      await saveAcceptanceScreenshot(admin, `${temp().dialect}-client-created`);
      // At 1440x900 the secret and its copy button are in view without scrolling, the form is gone (no
      // second submit, no duplicate client), and the client is one link away.
      for (const visible of [secret, admin.getByRole('button', { name: 'Copy' })]) {
        const box = (await visible.boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(900);
      }
      expect(await admin.getByRole('button', { name: 'Create client' }).count()).toBe(0);
      expect(await admin.getByText(`Client E2E app ${suffix} created.`).isVisible()).toBe(true);
      const clientLink = admin.getByRole('link', { name: `Open E2E app ${suffix}` });
      clientId = decodeURIComponent((await clientLink.getAttribute('href'))!.split('/').pop()!);
      await expectAccessible(admin);
      await admin.getByRole('button', { name: 'Done, I stored it' }).click();
      await admin.waitForURL(`${CONSOLE}/clients/${encodeURIComponent(clientId)}`);

      // Never again: not on the client's page, not in the list, not after a reload.
      await admin.goto(`${CONSOLE}/clients/${encodeURIComponent(clientId)}`);
      expect(await admin.getByText('it cannot be shown again').isVisible()).toBe(true);
      expect(await admin.content()).not.toContain(clientSecret);
      await expectAccessible(admin);
      await admin.goto(`${CONSOLE}/clients`);
      await expectAccessible(admin);
      expect(await admin.content()).toContain(clientId);
      expect(await admin.content()).not.toContain(clientSecret);
      // Status badges show their whole word.
      for (const label of await admin.locator('.mantine-Badge-label').all())
        expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a public client with authentication none, keeps its type fixed, and deletes it by name',
    async () => {
      const name = `Public app ${suffix}`;
      await admin.goto(`${CONSOLE}/clients/new`);
      await admin.locator('#field-name').fill(name);
      await admin.locator('#field-type').selectOption('public');
      // A public client has no secret: its authentication follows the type, and nothing else is offered.
      const authentication = admin.getByLabel('Token endpoint authentication');
      expect(await authentication.inputValue()).toBe('none');
      expect(await authentication.isEnabled()).toBe(false);
      await admin.locator('#field-redirect_uris').fill('http://127.0.0.1:7777/callback');
      await admin.getByRole('button', { name: 'Create client' }).click();
      await expect
        .poll(() => admin.getByText(`Client ${name} created.`).isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(await admin.getByTestId('client-secret-value').count()).toBe(0);
      await admin.getByRole('link', { name: `Open ${name}` }).click();
      await admin.waitForURL(/\/admin\/clients\/[^/]+$/);
      expect(await admin.getByLabel('Token endpoint authentication').inputValue()).toBe('none');
      // "Fixed once created": the type is shown, not offered.
      expect(await admin.locator('#field-type').isEditable()).toBe(false);
      await expectAccessible(admin);

      await admin.getByRole('button', { name: 'Delete client', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      expect(await dialog.getByText(`Delete ${name}?`).isVisible()).toBe(true);
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await admin.waitForURL(`${CONSOLE}/clients`);
      expect(await admin.getByText(name).count()).toBe(0);
    },
    STEP_TIMEOUT,
  );

  it(
    'lets the new user in with only what the role allows, and shows 403 pages to a user without admin permissions',
    async () => {
      viewerContext = await platform.browser.newContext();
      viewerPage = await viewerContext.newPage();
      await viewerPage.goto(`${CONSOLE}/`);
      await expectAccessible(viewerPage);
      await viewerPage.getByRole('link', { name: 'Sign in' }).click();
      await signIn(viewerPage, viewer.username, viewer.password);
      await expect
        .poll(() => viewerPage!.getByTestId('signed-in-user').textContent())
        .toContain(viewer.username);
      const nav = viewerPage.getByRole('navigation', { name: 'Console navigation' });
      for (const entry of ['Users', 'Roles & permissions', 'Clients', 'Audit log', 'System'])
        expect(await nav.getByRole('link', { name: entry }).isVisible()).toBe(true);
      await expectAccessible(viewerPage);

      // Reading is allowed; writing is neither offered nor reachable.
      await viewerPage.goto(`${CONSOLE}/users`);
      expect(await viewerPage.getByRole('link', { name: viewer.username, exact: true }).isVisible()).toBe(
        true,
      );
      expect(await viewerPage.getByRole('link', { name: 'New user' }).count()).toBe(0);
      await viewerPage.goto(`${CONSOLE}/users/${encodeURIComponent(viewerId)}`);
      expect(await viewerPage.getByRole('button', { name: 'Sign out everywhere' }).count()).toBe(0);
      expect(await viewerPage.getByRole('button', { name: 'Reset password' }).count()).toBe(0);
      const forbidden = await viewerPage.goto(`${CONSOLE}/users/new`);
      expect(forbidden?.status()).toBe(403);
      // Polled: the 403 page finishes rendering in the browser (Next.js's error shell).
      await expect
        .poll(() => viewerPage!.getByText('You do not have permission to open this page').isVisible())
        .toBe(true);
      await expectAccessible(viewerPage);
      expect((await viewerPage.goto(`${CONSOLE}/clients/new`))?.status()).toBe(403);

      // A user whose roles give no admin permission: signed in, offered nothing, refused every page.
      const outsiderContext = await platform.browser.newContext();
      outsiderPage = await outsiderContext.newPage();
      await outsiderPage.goto(`${CONSOLE}/`);
      await outsiderPage.getByRole('link', { name: 'Sign in' }).click();
      await signIn(outsiderPage, outsider.username, outsider.password);
      await expect.poll(() => outsiderPage!.getByTestId('no-access').isVisible()).toBe(true);
      await expectAccessible(outsiderPage);
      expect(
        await outsiderPage.getByRole('navigation', { name: 'Console navigation' }).getByRole('link').count(),
      ).toBe(1);
      for (const path of [
        '/users',
        '/audit',
        '/clients',
        '/system',
        `/users/${encodeURIComponent(viewerId)}`,
      ]) {
        const response = await outsiderPage.goto(`${CONSOLE}${path}`);
        expect(response?.status()).toBe(403);
        const html = await outsiderPage.content();
        expect(html).not.toContain('admin@example.com');
        expect(html).not.toContain(viewer.username);
      }
    },
    STEP_TIMEOUT,
  );

  it(
    "revokes the new user's sessions, and their next request fails",
    async () => {
      await admin.goto(`${CONSOLE}/users/${encodeURIComponent(viewerId)}`);
      await expect.poll(() => admin.getByTestId('user-sessions').locator('tr').count()).toBeGreaterThan(0);
      await expectAccessible(admin);
      await confirmAction(admin, 'Sign out everywhere');
      await expect
        .poll(() => admin.getByText(/Signed out everywhere: \d+ session\(s\) ended/).isVisible())
        .toBe(true);

      // The sign-in session ended at oauth-service, which told the console (back-channel logout): the
      // console session is gone and the next page is the sign-in page.
      await viewerPage!.goto(`${CONSOLE}/users`);
      expect(new URL(viewerPage!.url()).pathname).toMatch(/^\/interaction\//);
      await expectAccessible(viewerPage!);
      expect(await viewerPage!.content()).not.toContain('admin@example.com');
    },
    STEP_TIMEOUT,
  );

  it(
    'rotates the signing key after confirmation',
    async () => {
      await admin.goto(`${CONSOLE}/keys`);
      await expectAccessible(admin);
      const before = await admin.locator('tbody tr').count();
      await admin.locator('#field-activation_delay_seconds').fill('7200');
      await admin.getByRole('button', { name: 'Rotate signing key' }).click();
      await expect.poll(() => admin.getByText('must be at most 3600 seconds').isVisible()).toBe(true);
      await admin.locator('#field-activation_delay_seconds').fill('60');
      await confirmAction(admin, 'Rotate signing key', 'Rotate');
      await expect
        .poll(() => admin.getByText(/A new signing key \(\S+\) is published/).isVisible())
        .toBe(true);
      await expect.poll(() => admin.locator('tbody tr').count()).toBe(before + 1);
      expect(await admin.locator('tbody').textContent()).toContain('pending');
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'finds every one of these actions in the audit log',
    async () => {
      const expectations: Array<[string, string]> = [
        ['user.password_change', 'admin'],
        ['login.success', viewer.username],
        ['user.create', viewer.username],
        ['user.create', outsider.username],
        ['role.create', roleName],
        ['role.permission_grant', 'admin:read'],
        ['role.assign', roleName],
        // The log names the client; its id is on the event's detail page.
        ['client.create', `E2E app ${suffix}`],
        ['grant.revoke', viewer.username],
        ['key.rotate', 'key.rotate'],
      ];
      for (const [action, needle] of expectations) {
        await admin.goto(`${CONSOLE}/audit?action=${encodeURIComponent(action)}`);
        const rows = admin.getByTestId('audit-events').locator('tr');
        await expect.poll(() => rows.count(), { message: action }).toBeGreaterThan(0);
        const text = (await admin.getByTestId('audit-events').textContent()) ?? '';
        expect(text, `${action} mentioning ${needle}`).toContain(needle);
        expect(text).toContain(action);
      }
      await expectAccessible(admin);
      // Filtering by actor (a username stands for the user's id) and time.
      const since = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16);
      await admin.goto(`${CONSOLE}/audit?actor=${encodeURIComponent(viewer.username)}&from=${since}`);
      const mine = (await admin.getByTestId('audit-events').textContent()) ?? '';
      expect(mine).toContain('login.success');
      expect(mine).not.toContain('user.create');
      await admin.goto(`${CONSOLE}/audit?action=user.create&from=2999-01-01T00:00`);
      expect(await admin.getByTestId('audit-events').locator('tr').count()).toBe(0);
      // The detail view of an event.
      await admin.goto(`${CONSOLE}/audit?action=client.create`);
      // The event's time opens it; its actor, target and client links open theirs.
      await admin.getByTestId('audit-events').locator('tr').first().getByRole('link').first().click();
      await admin.waitForURL(/\/admin\/audit\/\d+$/);
      await expectAccessible(admin);
      expect(await admin.content()).toContain(clientId);
      expect(await admin.content()).not.toContain(clientSecret);
    },
    STEP_TIMEOUT,
  );

  it(
    'has a favicon, a skip link to the content, and marks the open page in the navigation',
    async () => {
      await admin.goto(`${CONSOLE}/users`);
      const icon = await admin.locator('link[rel="icon"]').first().getAttribute('href');
      expect(icon, 'a <link rel="icon">').toBeTruthy();
      const served = await admin.request.get(new URL(icon!, admin.url()).toString());
      expect(served.status()).toBe(200);
      expect(served.headers()['content-type']).toMatch(/^image\//);

      const current = admin
        .getByRole('navigation', { name: 'Console navigation' })
        .locator('[aria-current="page"]');
      expect(await current.count()).toBe(1);
      expect((await current.textContent())?.trim()).toBe('Users');

      await admin.keyboard.press('Tab');
      const skip = admin.getByRole('link', { name: 'Skip to content' });
      expect(await admin.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      expect(await skip.isVisible()).toBe(true);
      await skip.press('Enter');
      expect(await admin.evaluate('document.activeElement?.id')).toBe('main');

      const missing = await admin.goto(`${CONSOLE}/no-such-page`);
      expect(missing?.status()).toBe(404);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'follows the system colour scheme, readable in dark too, and remembers the header toggle across reloads',
    async () => {
      const context = await platform.browser.newContext({ colorScheme: 'dark' });
      const page = await context.newPage();
      const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
      try {
        // oauth-service's sign-in page follows the system as well (signIn checks it with axe).
        await page.goto(`${CONSOLE}/users`);
        expect(await isDarkBackground(page), 'the sign-in page in dark mode').toBe(true);
        await signIn(page, 'admin', adminNewPassword);
        expect(await scheme()).toBe('dark');
        expect(await isDarkBackground(page), 'the console in dark mode').toBe(true);
        await expectAccessible(page);
        for (const path of [
          '/',
          '/audit',
          `/users/${encodeURIComponent(viewerId)}`,
          '/clients/new',
          '/system',
        ]) {
          await page.goto(`${CONSOLE}${path}`);
          await expectAccessible(page);
        }
        expect((await page.goto(`${CONSOLE}/no-such-page`))?.status()).toBe(404);
        await expectAccessible(page);

        await page.goto(`${CONSOLE}/users`);
        await page.getByRole('button', { name: 'Theme', exact: true }).click();
        expect(await page.getByRole('menuitemradio', { name: 'System' }).getAttribute('aria-checked')).toBe(
          'true',
        );
        await page.getByRole('menuitemradio', { name: 'Light' }).click();
        await expect.poll(scheme).toBe('light');
        expect(await isDarkBackground(page)).toBe(false);
        await expectAccessible(page);
        await page.reload();
        expect(await scheme()).toBe('light');
        expect(await isDarkBackground(page), 'the choice outlives a reload').toBe(false);

        // Back to following the system.
        await page.getByRole('button', { name: 'Theme', exact: true }).click();
        await page.getByRole('menuitemradio', { name: 'System' }).click();
        await expect.poll(scheme).toBe('dark');
      } finally {
        await context.close();
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'reads a plain word in the action filter as a prefix, and lists nothing for a malformed filter',
    async () => {
      const rows = admin.getByTestId('audit-events').locator('tr');
      const actions = () =>
        admin.getByTestId('audit-events').locator('tr > td:nth-child(3)').allTextContents();
      await admin.goto(`${CONSOLE}/audit?action=user`);
      await expect.poll(() => rows.count(), { message: 'action=user' }).toBeGreaterThan(0);
      expect((await actions()).every((action) => action.startsWith('user.'))).toBe(true);
      expect(await admin.getByRole('form', { name: 'Filter the audit log' }).count()).toBe(1);

      await admin.goto(`${CONSOLE}/audit?action=USER.CREATE`);
      await expect.poll(() => rows.count(), { message: 'action=USER.CREATE' }).toBeGreaterThan(0);
      expect(new Set(await actions())).toEqual(new Set(['user.create']));

      for (const malformed of ['user.', 'user..create', 'user.*.create']) {
        await admin.goto(`${CONSOLE}/audit?action=${encodeURIComponent(malformed)}`);
        expect(await admin.getByRole('form', { name: 'Filter the audit log' }).count(), malformed).toBe(1);
        expect(
          await admin.getByText(/must be an action such as user\.create/).count(),
          malformed,
        ).toBeGreaterThan(0);
        expect(await rows.count(), `${malformed}: no unfiltered rows`).toBe(0);
      }
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'refreshes an expired access token without the user noticing',
    async () => {
      // Admin API tokens now live 30 s (the shortest allowed), so the portal refreshes them in the second half
      // of their life: a request made after the first token expired must still work.
      await setAccessTokenLifetime(admin, CONSOLE, 'admin', 30);

      const context = await platform.browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${CONSOLE}/audit`);
        await signIn(page, 'admin', adminNewPassword);
        const first = (await context.cookies(CONSOLE)).find((c) => c.name === 'portal_session')?.value;
        expect(first).toBeTruthy();
        await new Promise((resolve) => setTimeout(resolve, 31_000));
        const response = await page.goto(`${CONSOLE}/users`);
        expect(response?.status()).toBe(200);
        expect(new URL(page.url()).pathname).toBe('/admin/users');
        expect(await page.getByRole('heading', { name: 'Users', level: 2 }).isVisible()).toBe(true);
        const second = (await context.cookies(CONSOLE)).find((c) => c.name === 'portal_session')?.value;
        expect(second).toBeTruthy();
        expect(second).not.toBe(first);
        // The refresh is a token.issue of grant type refresh_token in the audit log; requests racing with the
        // same expiring session shared one refresh (a second use of a rotated refresh token would be flagged).
        await page.goto(`${CONSOLE}/audit?action=token.issue`);
        expect(await page.getByTestId('audit-events').textContent()).toContain('grant_type=refresh_token');
        await page.goto(`${CONSOLE}/audit?action=refresh_token.reuse_detected`);
        expect(await page.getByTestId('audit-events').locator('tr').count()).toBe(0);
      } finally {
        await context.close();
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'signs the admin out through the provider (RP-initiated logout)',
    async () => {
      await admin.goto(`${CONSOLE}/`);
      await admin.getByRole('button', { name: 'Sign out' }).click();
      await admin.waitForLoadState('load');
      // oauth-service may ask to confirm ending its session.
      if (
        new URL(admin.url()).pathname.startsWith('/oauth/') ||
        new URL(admin.url()).pathname.includes('session')
      ) {
        const yes = admin.getByRole('button', { name: /yes|sign out|log out/i }).first();
        if (await yes.count()) {
          await expectAccessible(admin);
          await yes.click();
        }
      }
      await admin.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/');
      expect(await admin.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
      await expectAccessible(admin);
      expect((await adminContext.cookies(CONSOLE)).some((c) => c.name === 'portal_session')).toBe(false);
      const response = await admin.goto(`${CONSOLE}/users`);
      expect(new URL(admin.url()).pathname).toMatch(/^\/interaction\//);
      expect(response?.ok()).toBe(true);
    },
    STEP_TIMEOUT,
  );
});
