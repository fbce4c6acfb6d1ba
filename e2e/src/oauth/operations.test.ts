// Operational behaviour of oauth-service: production refusals, the forced first password change, dynamic
// registration, RP-initiated logout, CORS and running behind the gateway.
import { spawnSync } from 'node:child_process';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../json.ts';
import { Browser, formAction, hiddenField, providerForm } from './browser.ts';
import {
  ADMIN,
  authorize,
  codeFlow,
  OAUTH_DIR,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalAuthorizationUrl,
  portalConfig,
  startOAuthServer,
} from './harness.ts';

const INITIAL_ACCESS_TOKEN = 'e2e-initial-access-token-0123456789abcdef';

describeEachDialect('oauth-service operations', (temp) => {
  let server: OAuthServer;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url, {
      env: { REGISTRATION_ENABLED: 'true', REGISTRATION_INITIAL_ACCESS_TOKEN: INITIAL_ACCESS_TOKEN },
    });
  });
  afterAll(() => server?.stop());

  it('names PUBLIC_URL endpoints in discovery whatever origin forwarding headers claim', async () => {
    const res = await fetch(`${server.service.url}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'auth.example.com' },
    });
    const metadata = await json(res);
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.token_endpoint).toBe(`${server.issuer}/oauth/token`);
  });

  it('never answers the authorization endpoint with CORS headers', async () => {
    const res = await fetch(`${server.issuer}/oauth/authorize?client_id=admin-portal`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('registers clients dynamically only with the initial access token (RFC 7591/7592)', async () => {
    const metadata = {
      client_name: 'registered app',
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code'],
    };
    const anonymous = await fetch(`${server.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    expect(anonymous.status).toBe(401);
    const created = await fetch(`${server.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INITIAL_ACCESS_TOKEN}` },
      body: JSON.stringify(metadata),
    });
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(body.client_secret).toMatch(/.{43,}/);
    const read = await fetch(body.registration_client_uri, {
      headers: { authorization: `Bearer ${body.registration_access_token}` },
    });
    expect(read.status).toBe(200);
    expect((await json(read)).client_id).toBe(body.client_id);
  });

  it('signs out through RP-initiated logout and returns to the registered post-logout URI', async () => {
    const portal = await portalConfig(server);
    const tokens = await codeFlow(server, portal, { resource: '', scope: 'openid' });
    const browser = new Browser();
    // A fresh sign-in in this browser, so it holds the session that logout ends.
    const verifier = client.randomPKCECodeVerifier();
    await authorize(
      server,
      client.buildAuthorizationUrl(portal, {
        redirect_uri: PORTAL_REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }),
      ADMIN,
      browser,
    );
    const url = client.buildEndSessionUrl(portal, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1:9/admin/',
      state: 'bye',
    });
    const { page } = await browser.follow(url.toString(), server.issuer);
    expect(page.headers.get('content-security-policy')).toContain('form-action');
    const form = providerForm(page.body, 'op.logoutForm', page.url);
    const { leftTo } = await browser.follow(form.action, server.issuer, {
      form: { ...form.fields, logout: 'yes' },
    });
    expect(leftTo).toBe('http://127.0.0.1:9/admin/?state=bye');
  });
});

describe('oauth-service first sign-in and production mode', () => {
  let db: TempDatabase;
  let server: OAuthServer;

  beforeAll(async () => {
    db = await createTempDatabase('sqlite');
    // No ADMIN_PASSWORD: the seed generates one, prints it once and forces a change at first sign-in.
    server = await startOAuthServer(db.url, { env: { ADMIN_PASSWORD: '' } });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const runMain = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['src/main.ts'], {
      cwd: OAUTH_DIR,
      env: { ...process.env, ...server.env, PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('prints the generated admin password once, and never again', () => {
    expect(server.seedOutput).toMatch(/first password \(shown once/);
    const again = spawnSync(process.execPath, ['src/db/cli.ts', 'seed'], {
      cwd: OAUTH_DIR,
      env: { ...process.env, ...server.env },
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('shown once');
  });

  it('refuses development secrets when NODE_ENV=production, naming them', () => {
    const result = runMain({ NODE_ENV: 'production', ENCRYPTION_KEY: '', COOKIE_SECRET: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ENCRYPTION_KEY: development default refused/);
    expect(result.stderr).toMatch(/COOKIE_SECRET: development default refused/);
  });

  it('refuses production while the seeded admin still has its generated password', () => {
    const result = runMain({
      NODE_ENV: 'production',
      ENCRYPTION_KEY: 'k'.repeat(40),
      COOKIE_SECRET: 'c'.repeat(40),
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^the seeded admin "admin" still has its generated password/);
  });

  it('makes the seeded admin change the generated password at first sign-in', async () => {
    const generated = /first password \(shown once[^)]*\): (\S+)/.exec(server.seedOutput)![1]!;
    const portal = await portalConfig(server);
    const { url, verifier } = await portalAuthorizationUrl(portal, { state: 'first' });
    const browser = new Browser();
    let { page } = await browser.follow(url.toString(), server.issuer);
    ({ page } = await browser.follow(formAction(page.body, page.url, '/login'), server.issuer, {
      form: { csrf: hiddenField(page.body, 'csrf'), login: 'admin', password: generated },
    }));
    expect(page.body).toContain('Choose a new password');
    const change = (password: string, confirm = password) =>
      browser.follow(formAction(page.body, page.url, '/password'), server.issuer, {
        form: {
          csrf: hiddenField(page.body, 'csrf'),
          login: hiddenField(page.body, 'login'),
          current: generated,
          password,
          confirm,
        },
      });
    ({ page } = await change('short'));
    expect(page.body).toMatch(/at least 12/);
    ({ page } = await change('a-brand-new-passphrase-9', 'something-else-entirely-9'));
    expect(page.body).toContain('do not match');
    let step = await change('a-brand-new-passphrase-9');
    if (!step.leftTo)
      step = await browser.follow(formAction(step.page.body, step.page.url, '/confirm'), server.issuer, {
        form: { csrf: hiddenField(step.page.body, 'csrf') },
      });
    const callback = new URL(step.leftTo!);
    const tokens = await client.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'first',
    });
    expect(tokens.claims()?.sub).toBeTruthy();

    // The old password is gone; the new one signs in without being asked to change again.
    const fresh = new Browser();
    ({ page } = await fresh.follow(url.toString(), server.issuer));
    const old = await fresh.follow(formAction(page.body, page.url, '/login'), server.issuer, {
      form: { csrf: hiddenField(page.body, 'csrf'), login: 'admin', password: generated },
    });
    expect(old.page.body).toContain('The username or password is incorrect.');
    const renewed = await authorize(server, url, { login: 'admin', password: 'a-brand-new-passphrase-9' });
    expect(renewed.callback.searchParams.get('code')).toBeTruthy();
  });
});
