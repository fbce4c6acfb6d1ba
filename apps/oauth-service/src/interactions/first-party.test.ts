import { createHash, randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AdminHarness,
  basic,
  bearer,
  InjectBrowser,
  isLoginPage,
  PASSWORD,
  PORTAL,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';

// First-party clients (the platform's own console) skip the consent page and sign out in one step; a
// third-party client's users read what it asks for in plain words and confirm sign-out.

const TEST_RESOURCE = `${PUBLIC_URL}/test`;
// Under the portal's redirect URI, so the test browser stops there as it does for the portal.
const PARTNER_REDIRECT = `${PORTAL.redirectUri}-partner`;
const PORTAL_LOGOUT = 'http://127.0.0.1:9/admin/';

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const action = (html: string, ending: string) =>
  new RegExp(`action="([^"]*/${ending})"`).exec(html)?.[1] ?? '';

describeEachDialect('first-party clients: consent and sign-out', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;
  let partner: { clientId: string; secret: string };

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/admin/clients',
      headers: auth,
      payload: {
        name: 'Partner reports',
        type: 'confidential',
        grant_types: ['authorization_code'],
        redirect_uris: [PARTNER_REDIRECT],
        post_logout_redirect_uris: ['http://127.0.0.1:9/partner/'],
        scope: ['openid', 'profile', 'test:read', 'test:write'],
      },
    });
    expect(created.statusCode).toBe(201);
    partner = { clientId: created.json().client_id, secret: created.json().client_secret };
  });
  afterAll(() => h?.close());

  /** Starts an authorization for `clientId` in `browser` and signs in; returns the page or redirect that follows. */
  async function signInTo(browser: InjectBrowser, clientId: string, redirectUri: string, login: string) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL('/oauth/authorize', PUBLIC_URL);
    for (const [key, value] of Object.entries({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile test:read test:write',
      resource: TEST_RESOURCE,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'first-party-test',
    }))
      url.searchParams.set(key, value);
    const loginPage = (await browser.follow('GET', url.toString())).response.payload;
    const step = await browser.follow('POST', action(loginPage, 'login'), {
      csrf: field(loginPage, 'csrf'),
      login,
      password: PASSWORD,
    });
    return { ...step, verifier };
  }

  /** Exchanges the code the flow left with; returns the token response. */
  async function exchange(client: { clientId: string; secret: string }, leftTo: URL, verifier: string) {
    const response = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(client.clientId, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code: leftTo.searchParams.get('code') ?? '',
        redirect_uri: `${leftTo.origin}${leftTo.pathname}`,
        code_verifier: verifier,
      }).toString(),
    });
    expect(response.statusCode).toBe(200);
    return response.json() as { id_token: string; scope: string };
  }

  /** The console's session for a new `operator` user: browser and ID token. */
  async function consoleSession(username: string) {
    await h.createUser(username, ['operator']);
    const browser = new InjectBrowser(h.app);
    const step = await signInTo(browser, PORTAL.clientId, PORTAL.redirectUri, username);
    expect(step.leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    const tokens = await exchange(
      { clientId: PORTAL.clientId, secret: PORTAL.secret },
      step.leftTo!,
      step.verifier,
    );
    return { browser, idToken: tokens.id_token };
  }

  const endSession = (browser: InjectBrowser, params: Record<string, string>) =>
    browser.request('GET', `/oauth/end_session?${new URLSearchParams(params)}`);

  it('signs in to the console without a consent page, granting what its roles allow, audited as automatic', async () => {
    await h.createUser('console-operator', ['viewer']);
    const browser = new InjectBrowser(h.app);
    const step = await signInTo(browser, PORTAL.clientId, PORTAL.redirectUri, 'console-operator');
    expect(step.response.payload).not.toContain('Allow access?');
    expect(step.leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    const tokens = await exchange(
      { clientId: PORTAL.clientId, secret: PORTAL.secret },
      step.leftTo!,
      step.verifier,
    );
    // A viewer holds test:read, not test:write: the automatic grant never exceeds the user's roles.
    expect(tokens.scope.split(' ')).toEqual(['test:read']);
    const [audited] = await h.auditOf('consent.grant');
    expect(audited).toMatchObject({
      actorName: 'console-operator',
      clientId: PORTAL.clientId,
      details: { automatic: true, scopes: expect.arrayContaining(['openid', 'test:read']) },
    });
  });

  it("shows a third-party client's consent page with each scope's description first, its name second", async () => {
    await h.createUser('partner-user', ['viewer']);
    const browser = new InjectBrowser(h.app);
    const step = await signInTo(browser, partner.clientId, PARTNER_REDIRECT, 'partner-user');
    const html = step.response.payload;
    expect(step.leftTo).toBeUndefined();
    expect(html).toContain('Allow access?');
    expect(html).toContain('<strong>Partner reports</strong>');
    const items = [
      ...html.matchAll(/<li>([^<]*)<br><span class="muted scope-name">([^<]*)<\/span><\/li>/g),
    ].map(([, description, name]) => `${description} = ${name}`);
    expect(items).toEqual([
      'Know who you are = openid',
      'See your name and username = profile',
      'Read from test-service = test:read',
      // Withheld: a viewer may not write to test-service.
      'Write to test-service = test:write',
    ]);
    const done = await browser.follow('POST', action(html, 'confirm'), { csrf: field(html, 'csrf') });
    expect(done.leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    const [audited] = await h.auditOf('consent.grant');
    expect(audited).toMatchObject({ actorName: 'partner-user', clientId: partner.clientId });
    expect(audited?.details).not.toHaveProperty('automatic');
  });

  it('signs the console out in one step for its own ID token: a self-submitting form, no question', async () => {
    const { browser, idToken } = await consoleSession('one-click');
    const page = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: PORTAL_LOGOUT,
    });
    expect(page.statusCode).toBe(200);
    expect(page.payload).not.toContain('Sign out of');
    expect(page.payload).toContain('name="logout" value="yes"');
    // The only script the page may run is the one submitting the form.
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'sha256-[^' ]+'(;|$)/);
    const done = await browser.request('POST', action(page.payload, 'confirm'), {
      xsrf: field(page.payload, 'xsrf'),
      logout: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(PORTAL_LOGOUT);
    expect(isLoginPage((await h.authorizeAgain(browser)).response)).toBe(true);
  });

  it('asks before signing out without an ID token, or with one of another user', async () => {
    const { browser } = await consoleSession('asked-plain');
    const plain = await endSession(browser, {
      client_id: PORTAL.clientId,
      post_logout_redirect_uri: PORTAL_LOGOUT,
    });
    expect(plain.payload).toContain('Sign out of');
    expect(plain.headers['content-security-policy']).not.toMatch(/script-src/);

    const other = await consoleSession('asked-other');
    const foreign = await endSession(browser, {
      id_token_hint: other.idToken,
      post_logout_redirect_uri: PORTAL_LOGOUT,
    });
    expect(foreign.payload).toContain('Sign out of');
    expect(isLoginPage((await h.authorizeAgain(browser)).response)).toBe(false);
  });

  it("asks before signing out of a third-party client, even with the user's own ID token", async () => {
    await h.createUser('partner-logout', ['viewer']);
    const browser = new InjectBrowser(h.app);
    const step = await signInTo(browser, partner.clientId, PARTNER_REDIRECT, 'partner-logout');
    const html = step.response.payload;
    const done = await browser.follow('POST', action(html, 'confirm'), { csrf: field(html, 'csrf') });
    const tokens = await exchange(partner, done.leftTo!, step.verifier);
    const page = await endSession(browser, { id_token_hint: tokens.id_token });
    expect(page.statusCode).toBe(200);
    expect(page.payload).toContain('Sign out of');
    expect(page.payload).not.toContain('<script');
  });
});
