// RBAC → scopes end to end: an administrator creates a user through the admin API with a real token, and
// that user is granted only the scopes their role allows.
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import { Browser, formAction, hiddenField } from './browser.ts';
import {
  adminAccessToken,
  adminFetch,
  authorize,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalAuthorizationUrl,
  portalConfig,
  startOAuthServer,
} from './harness.ts';

describeEachDialect('RBAC through the admin API and consent', (temp) => {
  let server: OAuthServer;
  let portal: client.Configuration;
  let adminToken: string;
  const api = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
    adminFetch(server, init.token ?? adminToken, path, init);

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    portal = await portalConfig(server);
    adminToken = await adminAccessToken(server, portal);
  });
  afterAll(() => server?.stop());

  it('lets the administrator create a user with the role "user"', async () => {
    const created = await api('/users', {
      method: 'POST',
      body: { username: 'reader1', email: 'reader1@example.com', password: 'reader-passphrase-42' },
    });
    expect(created.status).toBe(201);
    const user = await json(created);
    const roles = await json(api('/roles'));
    const role = (roles.items ?? roles).find((r: { name: string }) => r.name === 'user');
    expect((await api(`/users/${user.id}/roles/${role.id}`, { method: 'PUT' })).status).toBeLessThan(300);
  });

  it('grants the new user only the scopes of their role, with no consent page for the first-party console', async () => {
    const { url, verifier } = await portalAuthorizationUrl(portal, {
      // admin-portal may be granted flow:write; the role "user" only holds flow:read.
      scope: 'openid flow:read flow:write',
      state: 'r1',
      resource: `${server.issuer}/flow`,
    });
    const browser = new Browser();
    const { page } = await browser.follow(url.toString(), server.issuer);
    // Straight back to the console after sign-in: a third-party client's page lists withheld scopes instead
    // (apps/oauth-service/src/interactions/first-party.test.ts).
    const { leftTo } = await browser.follow(formAction(page.body, page.url, '/login'), server.issuer, {
      form: { csrf: hiddenField(page.body, 'csrf'), login: 'reader1', password: 'reader-passphrase-42' },
    });
    const tokens = await client.authorizationCodeGrant(portal, new URL(leftTo!), {
      pkceCodeVerifier: verifier,
      expectedState: 'r1',
    });
    expect(decodeJwt(tokens.access_token).scope).toBe('flow:read');
  });

  it('refuses the admin API to that user, and records every admin change in the audit log', async () => {
    const { callback } = await authorize(
      server,
      client.buildAuthorizationUrl(portal, {
        redirect_uri: PORTAL_REDIRECT,
        scope: 'openid admin:read',
        code_challenge: await client.calculatePKCECodeChallenge('v'.repeat(43)),
        code_challenge_method: 'S256',
        state: 'r2',
        resource: `${server.issuer}/api/admin`,
      }),
      { login: 'reader1', password: 'reader-passphrase-42' },
    );
    const tokens = await client.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: 'v'.repeat(43),
      expectedState: 'r2',
    });
    expect((await api('/users', { token: tokens.access_token })).status).toBe(403);

    const audit = await json(api('/audit?limit=200'));
    const actions = audit.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.create', 'role.assign', 'login.success', 'consent.grant', 'token.issue']),
    );
  });
});
