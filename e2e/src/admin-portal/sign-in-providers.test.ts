// Sign-in providers (upstream identity providers) in the consoles, in real Chromium through the gateway, once
// per database dialect. In the admin console the admin creates an OpenID Connect provider with the form (the
// redirect URI to register upstream shown as the id is typed, a group → role row, default roles, domains),
// sees oauth-service's own refusal under the field it names, disables it, and deletes another after a
// confirmation. In the account console a user sees their linked sign-ins and the providers they could link,
// unlinks one, and is refused unlinking the last way into their account; the admin then sees that link on
// the user's page, with its upstream subject, and unlinks it after a warning. The links are written to the
// database: making one takes an upstream sign-in, which the federation e2e tests drive.
import { randomBytes } from 'node:crypto';
import { createDatabase } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { adminApiToken, adminCall } from './admin-api.ts';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const CONSOLE = `${ORIGIN}/admin`;
const ACCOUNT = `${ORIGIN}/account`;
const STEP_TIMEOUT = 120_000;

interface LinkTables {
  upstream_identities: {
    provider_id: string;
    subject: string;
    user_id: string;
    email: string | null;
    linked_at: number;
    last_sign_in_at: number | null;
  };
  users: { id: string; invitation_pending: number };
}

async function confirmAction(page: Page, button: string, confirm: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
}

/** The page's title (the console's shell holds the h1). */
const headingIs = (page: Page, text: string) =>
  expect
    .poll(() => page.getByRole('heading', { name: text, level: 2, exact: true }).isVisible(), {
      timeout: 20_000,
    })
    .toBe(true);

describeEachDialect('consoles: sign-in providers and linked sign-ins in Chromium', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `providers-console-${suffix}-Harbor-7`;
  const portalSecret = `providers-e2e-portal-${randomBytes(24).toString('base64url')}`;
  const user = {
    username: `lina-${suffix}`,
    email: `lina-${suffix}@example.com`,
    password: `lantern-${suffix}-river-canyon-4`,
  };
  let adminToken = '';
  let userId = '';
  let admin: Page;
  let account: Page;
  const platform = registerConsolePlatform(temp, {
    name: 'sign-in-providers',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    waitForUrls: [`${CONSOLE}/`, `${ACCOUNT}/`],
    pages: () => ({ admin, account }),
  });

  beforeAll(async () => {
    adminToken = await adminApiToken('admin', adminPassword, portalSecret);
    admin = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 1000 } });
    account = await platform.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  }, 5 * 60_000);

  it(
    'the admin creates an OpenID Connect provider with the form, seeing the redirect URI to register',
    async () => {
      await admin.goto(`${CONSOLE}/sign-in-providers`);
      await signIn(admin, 'admin', adminPassword);
      await headingIs(admin, 'Sign-in providers');
      expect(await admin.getByText('No sign-in provider yet').isVisible()).toBe(true);
      await expectAccessible(admin);

      await admin.getByRole('link', { name: 'New sign-in provider' }).click();
      await headingIs(admin, 'New sign-in provider');
      await admin.locator('#field-id').fill('entra');
      expect(await admin.getByTestId('upstream-redirect-uri').textContent()).toBe(
        `${ORIGIN}/login/upstream/entra/callback`,
      );
      await admin.locator('#field-display_name').fill('Microsoft');
      await admin.locator('#field-issuer').fill('http://login.example.com/tenant/v2.0');
      await admin.locator('#field-client_id').fill('entra-client');
      await admin.locator('#field-client_secret').fill('entra-secret-value');
      await admin
        .getByRole('switch', { name: 'Create an account at the first sign-in' })
        .check({ force: true });
      await admin.getByRole('checkbox', { name: 'user', exact: true }).check();
      await admin.locator('#field-allowed_email_domains').fill('Example.com');
      await admin.getByRole('button', { name: 'Add group mapping' }).click();
      await admin.getByLabel('Upstream group 1').fill('g-admins');
      await admin.getByLabel('Local role 1').selectOption('admin');
      await expectAccessible(admin);
      await admin.getByRole('button', { name: 'Create sign-in provider' }).click();

      // oauth-service's rule (http only on loopback), shown under the field it names.
      await expect
        .poll(() => admin.getByText('http is allowed only on loopback', { exact: true }).isVisible(), {
          timeout: 20_000,
        })
        .toBe(true);
      await expectAccessible(admin);
      await admin.locator('#field-issuer').fill('https://login.microsoftonline.com/tenant/v2.0');
      await admin.getByRole('button', { name: 'Create sign-in provider' }).click();
      await admin.waitForURL(`${CONSOLE}/sign-in-providers/entra`, { timeout: 20_000 });
      await headingIs(admin, 'Microsoft (entra)');
      expect(await admin.getByText('A secret is stored and never shown.').isVisible()).toBe(true);
      expect(await admin.locator('#field-client_secret').inputValue()).toBe('');
      expect(await admin.getByLabel('Upstream group 1').inputValue()).toBe('g-admins');
      expect(await admin.locator('#field-allowed_email_domains').inputValue()).toBe('example.com');
      expect(await admin.content()).not.toContain('entra-secret-value');
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'sign-in-provider-form');
    },
    STEP_TIMEOUT,
  );

  it(
    'the admin disables it and deletes another after a confirmation; the list shows their state',
    async () => {
      await admin
        .getByRole('switch', { name: 'Enabled (shown on the sign-in page)' })
        .uncheck({ force: true });
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(() => admin.getByText('Sign-in provider saved.').isVisible(), { timeout: 20_000 })
        .toBe(true);

      await adminCall(adminToken, 'POST', '/upstream-providers', {
        id: 'github',
        display_name: 'GitHub',
        kind: 'oauth2',
        authorization_endpoint: 'https://github.com/login/oauth/authorize',
        token_endpoint: 'https://github.com/login/oauth/access_token',
        userinfo_endpoint: 'https://api.github.com/user',
        client_id: 'gh-client',
        scopes: ['read:user', 'user:email'],
      });
      await adminCall(adminToken, 'POST', '/upstream-providers', {
        id: 'gitlab',
        display_name: 'GitLab',
        kind: 'oidc',
        issuer: 'https://gitlab.com',
        client_id: 'gl-client',
      });
      await admin.goto(`${CONSOLE}/sign-in-providers/gitlab`);
      await headingIs(admin, 'GitLab (gitlab)');
      await confirmAction(admin, 'Delete sign-in provider', 'Delete');
      await admin.waitForURL(`${CONSOLE}/sign-in-providers`, { timeout: 20_000 });
      const rows = admin.getByRole('row');
      await expect.poll(() => rows.count()).toBe(3);
      expect(await rows.filter({ hasText: 'Microsoft' }).textContent()).toContain('disabled');
      expect(await rows.filter({ hasText: 'GitHub' }).textContent()).toContain('enabled');
      expect(await admin.getByText('GitLab').count()).toBe(0);
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'sign-in-providers-list');
    },
    STEP_TIMEOUT,
  );

  it(
    'a user sees their linked sign-ins and what they could link, unlinks one, and keeps the last way in',
    async () => {
      userId = (
        await adminCall<{ id: string }>(adminToken, 'POST', '/users', {
          ...user,
          must_change_password: false,
        })
      ).id;
      await adminCall(adminToken, 'POST', '/upstream-providers', {
        id: 'gitlab',
        display_name: 'GitLab',
        kind: 'oidc',
        issuer: 'https://gitlab.com',
        client_id: 'gl-client',
      });
      await adminCall(adminToken, 'PATCH', '/upstream-providers/entra', { enabled: true });
      const database = createDatabase<LinkTables>(platform.oauthDatabaseUrl);
      try {
        for (const [provider, subject] of [
          ['entra', 'entra-subject'],
          ['github', '4242'],
        ] as const)
          await database.db
            .insertInto('upstream_identities')
            .values({
              provider_id: provider,
              subject,
              user_id: userId,
              email: user.email,
              linked_at: Date.now(),
              last_sign_in_at: null,
            })
            .execute();

        await account.goto(`${ACCOUNT}/linked-sign-ins`);
        await account.waitForURL((url) => url.pathname.startsWith('/interaction/'));
        await signIn(account, user.username, user.password, undefined, '/account');
        await headingIs(account, 'Linked sign-ins');
        await expect.poll(() => account.getByTestId('linked-row').count()).toBe(2);
        const link = account.getByRole('link', { name: 'Link GitLab' });
        expect(await link.getAttribute('href')).toBe(
          `${ORIGIN}/login/upstream/gitlab/link?return_to=${encodeURIComponent(`${ACCOUNT}/linked-sign-ins`)}`,
        );
        await expectAccessible(account);
        await saveAcceptanceScreenshot(account, 'account-linked-sign-ins');

        await confirmAction(account, 'Unlink Microsoft', 'Unlink Microsoft');
        // The row goes, its form with it: the list is the outcome.
        await expect.poll(() => account.getByTestId('linked-row').count()).toBe(1);
        expect(await account.getByRole('link', { name: 'Link Microsoft' }).isVisible()).toBe(true);

        // Without a password (as for an account made at an upstream sign-in), GitHub is the only way in.
        await database.db
          .updateTable('users')
          .set({ invitation_pending: 1 })
          .where('id', '=', userId)
          .execute();
        await confirmAction(account, 'Unlink GitHub', 'Unlink GitHub');
        await expect
          .poll(() => account.getByText('This is your only way to sign in.').isVisible(), { timeout: 20_000 })
          .toBe(true);
        await account.reload();
        await expect.poll(() => account.getByTestId('linked-row').count()).toBe(1);
        await expectAccessible(account);
      } finally {
        await database.close();
      }
    },
    STEP_TIMEOUT,
  );

  it(
    "the admin sees the user's linked sign-in with its subject and unlinks it, the last way in, after a warning",
    async () => {
      await admin.goto(`${CONSOLE}/users/${userId}`);
      await headingIs(admin, user.username);
      const rows = admin.getByTestId('user-linked-sign-ins').getByRole('row');
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
      expect(await rows.textContent()).toContain('GitHub');
      expect(await rows.textContent()).toContain('4242');
      expect(await admin.getByTestId('account-mail').textContent()).toContain(
        'No password of its own: signs in through GitHub.',
      );
      expect(await admin.getByRole('button', { name: 'Invite to set a password' }).count()).toBe(1);
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'user-linked-sign-ins');

      await admin.getByRole('button', { name: 'Unlink GitHub', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.textContent()).toContain('It is their only way in');
      await dialog.getByRole('button', { name: 'Unlink', exact: true }).click();
      await expect
        .poll(() => admin.getByText('No sign-in through another provider.').isVisible(), { timeout: 20_000 })
        .toBe(true);
      expect(await admin.getByTestId('account-mail').textContent()).toContain('Invited: no password yet.');
      const audit = await adminCall<{ items: Array<{ target_id: string; details: { subject?: string } }> }>(
        adminToken,
        'GET',
        '/audit?action=upstream.unlinked',
      );
      expect(audit.items[0]).toMatchObject({ target_id: userId, details: { subject: '4242' } });
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );
});
