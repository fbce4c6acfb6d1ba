// Sign-in through an upstream identity provider, acceptance: the platform started as the README starts it,
// everything through the gateway, a second and independent OpenID provider (a bare oidc-provider with its
// own key and accounts) started by the test on a loopback port and configured through the admin API. Chromium
// clicks the sign-in page's "Sign in with …" link; the other cases drive the same pages over plain HTTP with a
// cookie jar. Both dialects.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { startTestUpstream, type TestUpstream } from '@platform/oauth-service/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminApiToken } from '../admin-portal/admin-api.ts';
import { registerConsolePlatform } from '../admin-portal/console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from '../admin-portal/page-checks.ts';
import { Browser, formAction, hiddenField } from './browser.ts';
import { arrivalAtClient, authorization, idTokenClaims, PUBLIC_URL } from './chromium-sign-in.ts';

const PROVIDER = 'partner-idp';
const UPSTREAM_CALLBACK = `${PUBLIC_URL}/login/upstream/${PROVIDER}/callback`;
// Never served (the gateway answers it with the console's 404 page): the test reads the code from the URL.
const CLIENT_CALLBACK = `${PUBLIC_URL}/federation-e2e/callback`;
const STEP_TIMEOUT = 120_000;

describeEachDialect('sign-in through an upstream identity provider, through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `federation-${suffix}-Harbor-7`;
  const portalSecret = `federation-portal-${randomBytes(24).toString('base64url')}`;
  let page: Page | undefined;
  let upstream: TestUpstream;
  let adminToken = '';
  let client: { clientId: string; secret: string };
  const platform = registerConsolePlatform(temp, {
    name: 'federation',
    adminPassword,
    env: { OAUTH_CLIENT_SECRET: portalSecret },
    pages: () => ({ page }),
  });

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${PUBLIC_URL}/api/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return response.status === 204 ? undefined : ((await response.json()) as Record<string, unknown>);
  };

  beforeAll(async () => {
    upstream = await startTestUpstream(UPSTREAM_CALLBACK);
    adminToken = await adminApiToken('admin', adminPassword, portalSecret);
    const created = await admin('POST', '/clients', {
      name: `Federation e2e ${suffix}`,
      type: 'confidential',
      grant_types: ['authorization_code'],
      redirect_uris: [CLIENT_CALLBACK],
      scope: ['openid', 'profile', 'email', 'test:read', 'test:write'],
      first_party: true,
    });
    client = { clientId: String(created!.client_id), secret: String(created!.client_secret) };
    const provider = await admin('POST', '/upstream-providers', {
      id: PROVIDER,
      display_name: 'Partner ID',
      kind: 'oidc',
      issuer: upstream.issuer,
      client_id: upstream.clientId,
      client_secret: upstream.clientSecret,
      scopes: ['openid', 'email', 'profile', 'groups'],
      group_roles: { 'platform-operators': 'operator' },
      jit_enabled: true,
      default_roles: ['user'],
      link_by_verified_email: false,
      enabled: true,
    });
    expect(provider).toMatchObject({ redirect_uri: UPSTREAM_CALLBACK, has_secret: true });
  }, STEP_TIMEOUT);
  afterAll(() => upstream?.stop());

  /** Over plain HTTP: the client's authorization, the upstream link, the upstream, back; the last answer. */
  async function httpViaUpstream(login: string, params: Record<string, string> = {}) {
    upstream.nextLogin = login;
    const http = new Browser();
    const request = authorization(client.clientId, CLIENT_CALLBACK, params);
    let response = await http.request(request.url);
    for (let hops = 0; hops < 20 && response.location; hops += 1) {
      if (response.location.startsWith(CLIENT_CALLBACK)) break;
      response = await http.request(response.location);
    }
    const href = /href="(\/login\/upstream\/[^"]+)"/.exec(response.body)?.[1]?.replaceAll('&amp;', '&');
    expect(href, response.body.slice(0, 400)).toBeDefined();
    response = await http.request(new URL(href!, PUBLIC_URL).href);
    for (let hops = 0; hops < 20 && response.location; hops += 1) {
      if (response.location.startsWith(CLIENT_CALLBACK)) break;
      response = await http.request(response.location);
    }
    return { response, verifier: request.verifier };
  }

  const claimsOf = async (done: { response: { location: string | null }; verifier: string }) =>
    idTokenClaims(client, new URL(done.response.location!), done.verifier);

  it(
    'signs a new user in through the upstream with just-in-time provisioning (Chromium)',
    async () => {
      upstream.accounts.set('ada', {
        sub: `ada-${suffix}`,
        email: `ada-${suffix}@partner.test`,
        email_verified: true,
        name: 'Ada Upstream',
      });
      upstream.nextLogin = 'ada';
      page = await platform.newPage({ bypassCSP: true });
      const { url, verifier } = authorization(client.clientId, CLIENT_CALLBACK);
      await page.goto(url);
      const button = page.getByRole('link', { name: 'Sign in with Partner ID' });
      await expect.poll(() => button.isVisible()).toBe(true);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, 'federation-sign-in-button');
      const arrived = arrivalAtClient(page, CLIENT_CALLBACK);
      await button.click();
      const claims = await idTokenClaims(client, await arrived, verifier);
      const users = (await admin('GET', `/users?search=${encodeURIComponent(`ada-${suffix}`)}`)) as {
        items: Array<Record<string, unknown>>;
      };
      const user = users.items.find((u) => u.email === `ada-${suffix}@partner.test`);
      expect(user).toMatchObject({ display_name: 'Ada Upstream' });
      expect(claims).toMatchObject({ sub: user!.id, amr: ['fed'] });
    },
    STEP_TIMEOUT,
  );

  it(
    'links an existing account by verified email only when the provider allows it',
    async () => {
      const email = `grace-${suffix}@partner.test`;
      const local = await admin('POST', '/users', {
        username: `grace-${suffix}`,
        email,
        password: adminPassword,
      });
      upstream.accounts.set('grace', { sub: `grace-${suffix}`, email, email_verified: true });
      const refused = await httpViaUpstream('grace');
      expect(refused.response.status).toBe(403);
      expect(refused.response.body).toContain('Sign in with your password, then link');
      page = await platform.newPage({ bypassCSP: true });
      await page.setContent(refused.response.body);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, 'federation-link-required');

      await admin('PATCH', `/upstream-providers/${PROVIDER}`, { link_by_verified_email: true });
      const linked = await httpViaUpstream('grace');
      expect((await claimsOf(linked)).sub).toBe(local!.id);
      await admin('PATCH', `/upstream-providers/${PROVIDER}`, { link_by_verified_email: false });
    },
    STEP_TIMEOUT,
  );

  it.each([['wrong_nonce' as const], ['wrong_audience' as const], ['unknown_key' as const]])(
    'refuses a forged upstream ID token (%s)',
    async (forgery) => {
      upstream.accounts.set('mallory', {
        sub: `mallory-${suffix}`,
        email: `mallory-${suffix}@partner.test`,
        email_verified: true,
      });
      upstream.forge = forgery;
      try {
        const { response } = await httpViaUpstream('mallory');
        expect(response.status).toBe(400);
        expect(response.location).toBeNull();
        expect(response.body).toContain('did not succeed');
      } finally {
        upstream.forge = undefined;
      }
    },
    STEP_TIMEOUT,
  );

  it(
    "maps the upstream's groups to roles: the access token's scopes follow them",
    async () => {
      const params = { scope: 'openid test:read test:write', resource: `${PUBLIC_URL}/test` };
      upstream.accounts.set('ops', {
        sub: `ops-${suffix}`,
        email: `ops-${suffix}@partner.test`,
        email_verified: true,
        groups: ['platform-operators'],
      });
      const operator = await httpViaUpstream('ops', params);
      const scopes = async (done: typeof operator) => {
        const response = await fetch(`${PUBLIC_URL}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: new URL(done.response.location!).searchParams.get('code') ?? '',
            redirect_uri: CLIENT_CALLBACK,
            code_verifier: done.verifier,
          }),
        });
        const { access_token: token } = (await response.json()) as { access_token: string };
        return String(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).scope).split(' ');
      };
      expect(await scopes(operator)).toEqual(expect.arrayContaining(['test:read', 'test:write']));

      upstream.accounts.set('ops', {
        sub: `ops-${suffix}`,
        email: `ops-${suffix}@partner.test`,
        email_verified: true,
        groups: [],
      });
      const plain = await httpViaUpstream('ops', params);
      expect(await scopes(plain)).toEqual(['test:read']);
    },
    STEP_TIMEOUT,
  );

  it(
    'a disabled provider loses its button, and its callback is refused even mid-flow',
    async () => {
      upstream.accounts.set('late', {
        sub: `late-${suffix}`,
        email: `late-${suffix}@partner.test`,
        email_verified: true,
      });
      upstream.nextLogin = 'late';
      const http = new Browser();
      let response = await http.request(authorization(client.clientId, CLIENT_CALLBACK).url);
      while (response.location) response = await http.request(response.location);
      const href = /href="(\/login\/upstream\/[^"]+)"/.exec(response.body)![1]!.replaceAll('&amp;', '&');
      response = await http.request(new URL(href, PUBLIC_URL).href);
      while (response.location && !response.location.startsWith(UPSTREAM_CALLBACK))
        response = await http.request(response.location);
      await admin('PATCH', `/upstream-providers/${PROVIDER}`, { enabled: false });
      let refused = await http.request(response.location!);
      while (refused.location) refused = await http.request(refused.location);
      expect(refused.status).toBe(404);
      expect(refused.body).toContain('not available');

      page = await platform.newPage({ bypassCSP: true });
      await page.goto(authorization(client.clientId, CLIENT_CALLBACK).url);
      await expect.poll(() => page!.locator('#login').isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'Sign in with Partner ID' }).count()).toBe(0);
      await expectAccessible(page);
      await saveAcceptanceScreenshot(page, 'federation-provider-disabled');
      await admin('PATCH', `/upstream-providers/${PROVIDER}`, { enabled: true });
    },
    STEP_TIMEOUT,
  );

  it(
    "links the upstream sign-in to the signed-in user's account from the account console's link",
    async () => {
      const login = `lin-${suffix}`;
      const local = await admin('POST', '/users', {
        username: login,
        email: `${login}@partner.test`,
        password: adminPassword,
      });
      // A password sign-in gives this browser its oauth-service session.
      const http = new Browser();
      const signIn = authorization(client.clientId, CLIENT_CALLBACK);
      let response = await http.request(signIn.url);
      while (response.location) response = await http.request(response.location);
      response = await http.request(formAction(response.body, response.url, '/login'), {
        form: { csrf: hiddenField(response.body, 'csrf'), login, password: adminPassword },
      });
      while (response.location && !response.location.startsWith(CLIENT_CALLBACK))
        response = await http.request(response.location);
      expect(response.location).toContain(CLIENT_CALLBACK);

      upstream.accounts.set('lin', {
        sub: `lin-up-${suffix}`,
        email: `other-${suffix}@elsewhere.test`,
        email_verified: false,
      });
      upstream.nextLogin = 'lin';
      const returnTo = `${PUBLIC_URL}/account/linked-sign-ins`;
      const outside = await http.request(
        `${PUBLIC_URL}/login/upstream/${PROVIDER}/link?return_to=${encodeURIComponent('https://evil.example/')}`,
      );
      expect(outside.status).toBe(400);
      response = await http.request(
        `${PUBLIC_URL}/login/upstream/${PROVIDER}/link?return_to=${encodeURIComponent(returnTo)}`,
      );
      while (response.location && !response.location.startsWith(returnTo))
        response = await http.request(response.location);
      expect(response.location).toBe(returnTo);

      // The linked upstream sign-in now signs that account in, whatever address the upstream gives.
      const via = await httpViaUpstream('lin');
      expect((await claimsOf(via)).sub).toBe(local!.id);
    },
    STEP_TIMEOUT,
  );
});
