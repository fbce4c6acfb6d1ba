// The client form's token exchange policy in Chromium through the gateway, once per database dialect: an
// administrator creates a machine client with the token exchange grant type, an audience from the resource
// server list, an exchangeable scope and delegation; the admin API then shows that policy, and the form
// refuses the grant type without an audience.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { adminApiToken } from './admin-api.ts';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const CONSOLE = `${ORIGIN}/admin`;
const STEP_TIMEOUT = 120_000;

describeEachDialect('token exchange policy in the client form', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `exchange-${suffix}-Harbor-7`;
  const portalSecret = `exchange-portal-${randomBytes(24).toString('base64url')}`;
  let admin: Page;
  const platform = registerConsolePlatform(temp, {
    name: 'token-exchange',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    waitForUrls: [`${CONSOLE}/`],
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    admin = await platform.newPage({ bypassCSP: true });
    await admin.goto(`${CONSOLE}/clients/new`);
    await signIn(admin, 'admin', adminPassword);
  });

  it(
    'creates a client with a delegation policy for test-service',
    async () => {
      const name = `Exchanger ${suffix}`;
      await admin.goto(`${CONSOLE}/clients/new`);
      await admin.locator('#field-name').fill(name);
      const grants = admin.getByRole('group', { name: 'Grant types' });
      await grants.getByLabel('Authorization code (+PKCE)').uncheck();
      await grants.getByLabel('Refresh token').uncheck();
      await grants.getByLabel('Token exchange (RFC 8693)').check();
      await admin.getByRole('button', { name: 'Create client' }).click();
      await expect.poll(() => admin.getByText('choose at least one audience').isVisible()).toBe(true);
      await expectAccessible(admin);

      await admin.getByRole('group', { name: 'Audiences' }).getByLabel(`test (${ORIGIN}/test)`).check();
      await admin.getByRole('group', { name: 'Exchangeable scopes' }).getByLabel('test:read').check();
      await saveAcceptanceScreenshot(admin, `${temp().dialect}-client-token-exchange-form`);
      await admin.getByRole('button', { name: 'Create client' }).click();
      await expect
        .poll(() => admin.getByText(`Client ${name} created.`).isVisible(), { timeout: 15_000 })
        .toBe(true);
      const link = admin.getByRole('link', { name: `Open ${name}` });
      const clientId = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);

      const token = await adminApiToken('admin', adminPassword, portalSecret);
      const client = await fetch(`${ORIGIN}/api/admin/clients/${encodeURIComponent(clientId)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await client.json()).toMatchObject({
        grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'],
        token_exchange: {
          audiences: [`${ORIGIN}/test`],
          scopes: ['test:read'],
          delegation: true,
          impersonation: false,
        },
      });

      await admin.goto(`${CONSOLE}/clients/${encodeURIComponent(clientId)}`);
      const audiences = admin.getByRole('group', { name: 'Audiences' });
      expect(await audiences.getByLabel(`test (${ORIGIN}/test)`).isChecked()).toBe(true);
      expect(await admin.getByLabel(/^Delegation/).isChecked()).toBe(true);
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, `${temp().dialect}-client-token-exchange-saved`);
    },
    STEP_TIMEOUT,
  );
});
