// The account API through the gateway: a user (no administrator) signs in to the account console's client
// with code + PKCE, sees their profile, sessions and applications, revokes an application, and that
// application's refresh token then fails at the token endpoint with invalid_grant.
import { describeEachDialect } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../ops/gateway.ts';
import {
  adminAccessToken,
  authorize,
  codeFlow,
  createUserWithRole,
  discover,
  type OAuthServer,
  portalConfig,
  startOAuthServer,
} from './harness.ts';

const ACCOUNT_SECRET = 'e2e-account-secret-0123456789abcdefghijklmnop';
const ACCOUNT_REDIRECT = 'http://127.0.0.1:9/account/auth/callback';
const USER = { login: 'account-e2e', password: 'violet-harbor-lantern-9', email: 'account-e2e@example.test' };

describeEachDialect('account API through the gateway', (temp) => {
  let gateway: Gateway;
  let server: OAuthServer;

  beforeAll(async () => {
    const gatewayPort = await freePort();
    server = await startOAuthServer(temp().url, {
      issuer: `http://127.0.0.1:${gatewayPort}`,
      env: { ACCOUNT_CLIENT_SECRET: ACCOUNT_SECRET, ACCOUNT_CONSOLE_URL: 'http://127.0.0.1:9/account' },
    });
    gateway = await startGateway({ UPSTREAM_OAUTH_1: `127.0.0.1:${server.service.port}` }, gatewayPort);
    const admin = await adminAccessToken(server, await portalConfig(server));
    await createUserWithRole(server, admin, USER);
  });

  afterAll(async () => {
    await gateway?.stop();
    await server?.stop();
  });

  /** The account console's sign-in: code + PKCE for the account resource, a refresh token with it. */
  async function consoleTokens() {
    const config = await discover(server, 'account-console', client.ClientSecretBasic(ACCOUNT_SECRET));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: ACCOUNT_REDIRECT,
      scope: 'openid profile email offline_access account',
      resource: `${server.issuer}/api/account`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      prompt: 'consent',
      state,
    });
    const { callback } = await authorize(server, url, USER);
    return client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  const account = (token: string, path: string, method = 'GET') =>
    fetch(`${server.issuer}/api/account${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('serves the profile, sessions and applications, and a revoked application can no longer refresh', async () => {
    const tokens = await consoleTokens();
    const me = await account(tokens.access_token, '/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: USER.login, email: 'account-e2e@example.test' });

    const sessions = (await (await account(tokens.access_token, '/sessions')).json()) as Array<{
      current: boolean;
      ip: string | null;
    }>;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ current: true, ip: '127.0.0.1' });

    // Another application holds a refresh token for the user: the admin portal (first-party, test:read).
    const portal = await portalConfig(server);
    const portalTokens = await codeFlow(server, portal, {}, USER);
    expect(portalTokens.refresh_token).toEqual(expect.any(String));
    const apps = (await (await account(tokens.access_token, '/applications')).json()) as Array<{
      clientId: string;
    }>;
    expect(apps.map((app) => app.clientId)).toEqual(['account-console', 'admin-portal']);

    expect((await account(tokens.access_token, '/applications/admin-portal', 'DELETE')).status).toBe(204);
    const refused = await client.refreshTokenGrant(portal, portalTokens.refresh_token!).then(
      () => 'refreshed',
      (error: { error?: string }) => error.error,
    );
    expect(refused).toBe('invalid_grant');
    // The console's own refresh token still works.
    const consoleClient = await discover(server, 'account-console', client.ClientSecretBasic(ACCOUNT_SECRET));
    const renewed = await client.refreshTokenGrant(consoleClient, tokens.refresh_token!);
    expect((await account(renewed.access_token, '/me')).status).toBe(200);
  });

  it('refuses a token for another audience (401) and serves its RFC 9728 metadata', async () => {
    const admin = await adminAccessToken(server, await portalConfig(server));
    expect((await account(admin, '/me')).status).toBe(401);
    const metadata = await fetch(`${server.issuer}/.well-known/oauth-protected-resource/api/account`);
    expect(await metadata.json()).toMatchObject({ resource: `${server.issuer}/api/account` });
  });
});
