// First-party and third-party clients in Chromium through the gateway, once per database dialect: the
// console (first-party) signs in with no consent page and signs out with one click; a third-party client,
// created through the admin API, gets the consent page with each scope described in plain words.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { adminApiToken, authorizationRequest } from './admin-api.ts';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const ORIGIN = 'http://localhost:8080';
const CONSOLE = `${ORIGIN}/admin`;
const PARTNER_CALLBACK = `${ORIGIN}/partner/callback`;
const STEP_TIMEOUT = 90_000;

describeEachDialect('first-party console and third-party consent in Chromium', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `first-party-${suffix}-Harbor-7`;
  const portalSecret = `first-party-portal-${randomBytes(24).toString('base64url')}`;
  let admin: Page;
  let adminToken = '';
  const platform = registerConsolePlatform(temp, {
    name: 'first-party',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    waitForUrls: [`${CONSOLE}/`],
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    // oauth-service's pages forbid every script by CSP; axe-core is injected by the test, not the page.
    admin = await platform.newPage({ bypassCSP: true });
  });

  it(
    'signs in to the console with no consent page',
    async () => {
      await admin.goto(`${CONSOLE}/users`);
      expect(new URL(admin.url()).pathname).toMatch(/^\/interaction\//);
      await expectAccessible(admin);
      // signIn fails on a consent page: the console is first-party.
      await signIn(admin, 'admin', adminPassword);
      expect(new URL(admin.url()).pathname).toBe('/admin/users');
    },
    STEP_TIMEOUT,
  );

  it(
    'shows a third-party client, created through the admin API, the consent page with scope descriptions',
    async () => {
      adminToken = await adminApiToken('admin', adminPassword, portalSecret);
      const created = await fetch(`${ORIGIN}/api/admin/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Partner reports ${suffix}`,
          type: 'confidential',
          grant_types: ['authorization_code'],
          redirect_uris: [PARTNER_CALLBACK],
          scope: ['openid', 'profile', 'test:read'],
        }),
      });
      expect(created.status).toBe(201);
      const partner = (await created.json()) as { client_id: string; first_party: boolean };
      expect(partner.first_party).toBe(false);

      // The signed-in admin's browser, sent to the third-party client: its consent page.
      const partnerRequest = authorizationRequest({
        client_id: partner.client_id,
        redirect_uri: PARTNER_CALLBACK,
        scope: 'openid profile test:read',
        resource: `${ORIGIN}/test`,
      });
      await admin.goto(partnerRequest.url);
      expect(await admin.locator('h1').first().textContent()).toBe('Allow access?');
      const items = await admin.locator('ul.scopes li').allInnerTexts();
      expect(items.map((item) => item.replace(/\s+/g, ' ').trim())).toEqual([
        'Know who you are openid',
        'See your name and username profile',
        'Read from test-service test:read',
      ]);
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, `consent-third-party-${temp().dialect}`);
      await admin.getByRole('button', { name: 'Allow' }).click();
      await admin.waitForURL((url) => url.href.startsWith(`${PARTNER_CALLBACK}?`));
      expect(new URL(admin.url()).searchParams.get('code')).toEqual(expect.any(String));
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out of the console with a single click',
    async () => {
      await admin.goto(`${CONSOLE}/`);
      const shown: string[] = [];
      admin.on('framenavigated', (frame) => {
        if (frame === admin.mainFrame()) shown.push(new URL(frame.url()).pathname);
      });
      await admin.getByRole('button', { name: 'Sign out' }).click();
      await admin.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/', {
        timeout: 15_000,
      });
      expect(await admin.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
      // The provider's session ended too: the console needs the sign-in screen again.
      await admin.goto(`${CONSOLE}/users`);
      expect(new URL(admin.url()).pathname).toMatch(/^\/interaction\//);
      expect(await admin.locator('#login').isVisible()).toBe(true);
      expect(shown).toContain('/oauth/end_session');
    },
    STEP_TIMEOUT,
  );
});
