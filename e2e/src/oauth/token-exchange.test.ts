import { describeEachDialect } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import { type Gateway, startGateway } from '../ops/gateway.ts';
import {
  ADMIN,
  adminAccessToken,
  adminFetch,
  authorize,
  codeFlow,
  createUserWithRole,
  discover,
  type OAuthServer,
  PORTAL_SECRET,
  portalAuthorizationUrl,
  portalConfig,
  startOAuthServer,
  startTestService,
} from './harness.ts';
import { oauthError } from './oauth-error.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const USER = {
  login: 'exchange-e2e',
  password: 'violet-harbor-lantern-9',
  email: 'exchange-e2e@example.test',
};
/** Opaque tokens (no resource) live this long, so one can expire during the test. */
const SHORT_TTL = 3;

describeEachDialect('token exchange through the gateway', (temp) => {
  let gateway: Gateway;
  let server: OAuthServer;
  let testService: Awaited<ReturnType<typeof startTestService>>;
  let issuer: string;
  let admin: string;
  const clients: Record<string, client.Configuration> = {};

  /** A confidential client with the grant type and `policy`, created through the admin API. */
  async function exchangeClient(name: string, policy: object | null): Promise<client.Configuration> {
    const response = await adminFetch(server, admin, '/clients', {
      method: 'POST',
      body: { name, type: 'confidential', grant_types: [GRANT], token_exchange: policy },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { client_id: string; client_secret: string };
    return discover(server, created.client_id, client.ClientSecretBasic(created.client_secret));
  }

  /** Resource servers keep the default lifetime but their own: only opaque tokens are short-lived. */
  async function longLivedResourceServers() {
    const servers = (await (await adminFetch(server, admin, '/resource-servers')).json()) as {
      items: Array<{ id: string; name: string }>;
    };
    for (const { id } of servers.items) {
      const changed = await adminFetch(server, admin, `/resource-servers/${id}`, {
        method: 'PATCH',
        body: { access_token_ttl: 300 },
      });
      expect(changed.status).toBe(200);
    }
  }

  beforeAll(async () => {
    const gatewayPort = await freePort();
    issuer = `http://127.0.0.1:${gatewayPort}`;
    server = await startOAuthServer(temp().url, { issuer, env: { ACCESS_TOKEN_TTL: String(SHORT_TTL) } });
    testService = await startTestService(issuer, `${server.service.url}/oauth/jwks`);
    gateway = await startGateway(
      {
        UPSTREAM_OAUTH_1: `127.0.0.1:${server.service.port}`,
        UPSTREAM_TEST_1: `127.0.0.1:${testService.port}`,
      },
      gatewayPort,
    );
    admin = await adminAccessToken(server, await portalConfig(server));
    await longLivedResourceServers();
    admin = await adminAccessToken(server, await portalConfig(server));
    await createUserWithRole(server, admin, USER);
    const policy = { audiences: [`${issuer}/test`], scopes: ['test:read', 'test:write'] };
    clients.delegator = await exchangeClient('e2e delegator', {
      ...policy,
      delegation: true,
      impersonation: false,
    });
    clients.impersonator = await exchangeClient('e2e impersonator', {
      ...policy,
      delegation: false,
      impersonation: true,
    });
    clients.withoutPolicy = await exchangeClient('e2e without policy', null);
  });

  afterAll(async () => {
    await gateway?.stop();
    await testService?.stop();
    await server?.stop();
  });

  /** A user's token for flow-service (what a run is started with), with a refresh token. */
  const flowTokens = async (credentials = ADMIN) =>
    codeFlow(
      server,
      await portalConfig(server),
      { scope: 'openid offline_access flow:read', resource: `${issuer}/flow` },
      credentials,
    );

  /** Without a resource the portal's access token is opaque, with the service's short default lifetime. */
  async function opaqueTokens() {
    const portal = await portalConfig(server);
    const { url, verifier } = await portalAuthorizationUrl(portal, { state: 'opaque' });
    const { callback } = await authorize(server, url);
    return client.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'opaque',
    });
  }

  const exchange = (config: client.Configuration, subject: string, params: Record<string, string> = {}) =>
    client.genericGrantRequest(config, GRANT, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN,
      resource: `${issuer}/test`,
      ...params,
    });

  const refusal = (config: client.Configuration, subject: string, params: Record<string, string> = {}) =>
    exchange(config, subject, params).then(
      () => 'granted',
      (error: unknown) => oauthError(error),
    );

  const echo = (token: string) =>
    fetch(`${issuer}/test/api/v1/echo`, { headers: { authorization: `Bearer ${token}` } });

  it('is listed in discovery', async () => {
    const metadata = await json(fetch(`${issuer}/.well-known/openid-configuration`));
    expect(metadata.grant_types_supported).toContain(GRANT);
  });

  it('delegates: act names the client, sub the user, and test-service accepts the token', async () => {
    const subject = (await flowTokens()).access_token;
    const response = await exchange(clients.delegator!, subject, { scope: 'test:read test:write' });
    expect(response).toMatchObject({ issued_token_type: ACCESS_TOKEN, scope: 'test:read test:write' });
    expect(response.token_type.toLowerCase()).toBe('bearer');
    const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth/jwks`));
    const { payload } = await jwtVerify(response.access_token, jwks, { issuer, audience: `${issuer}/test` });
    const delegatorId = clients.delegator!.clientMetadata().client_id;
    expect(payload).toMatchObject({
      sub: decodeJwt(subject).sub,
      client_id: delegatorId,
      act: { sub: delegatorId },
    });
    const seen = await echo(response.access_token);
    expect(seen.status).toBe(200);
    expect((await json(seen)).token).toMatchObject({
      sub: payload.sub,
      client_id: delegatorId,
      scope: 'test:read test:write',
    });
  });

  it('impersonates only where the policy allows it', async () => {
    const subject = (await flowTokens()).access_token;
    const impersonated = await exchange(clients.impersonator!, subject, { exchange_mode: 'impersonation' });
    expect(decodeJwt(impersonated.access_token)).not.toHaveProperty('act');
    expect((await echo(impersonated.access_token)).status).toBe(200);
    expect(await refusal(clients.delegator!, subject, { exchange_mode: 'impersonation' })).toBe(
      'unauthorized_client',
    );
  });

  it('refuses a scope beyond the user (invalid_scope) and an audience outside the policy (invalid_target)', async () => {
    const userSubject = (await flowTokens(USER)).access_token;
    expect(await refusal(clients.delegator!, userSubject, { scope: 'test:write' })).toBe('invalid_scope');
    const adminSubject = (await flowTokens()).access_token;
    expect(await refusal(clients.delegator!, adminSubject, { scope: 'kline:read' })).toBe('invalid_scope');
    expect(await refusal(clients.delegator!, adminSubject, { resource: `${issuer}/kline` })).toBe(
      'invalid_target',
    );
  });

  it('refuses an expired subject token', async () => {
    const tokens = await opaqueTokens();
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(await refusal(clients.delegator!, tokens.access_token, { scope: 'test:read' })).toBe('granted');
    await new Promise((resolve) => setTimeout(resolve, (SHORT_TTL + 1) * 1000));
    expect(await refusal(clients.delegator!, tokens.access_token)).toBe('invalid_request');
  });

  it('refuses a revoked subject token, and the tokens derived from it', async () => {
    const tokens = await flowTokens();
    const derived = await exchange(clients.delegator!, tokens.access_token, { scope: 'test:read' });
    await client.tokenRevocation(await portalConfig(server), tokens.refresh_token!);
    expect(await refusal(clients.delegator!, tokens.access_token)).toBe('invalid_request');
    expect(
      await refusal(clients.impersonator!, derived.access_token, { exchange_mode: 'impersonation' }),
    ).toBe('invalid_request');
  });

  it('refuses a client without a policy, or without the grant type', async () => {
    const subject = (await flowTokens()).access_token;
    expect(await refusal(clients.withoutPolicy!, subject)).toBe('unauthorized_client');
    const portal = await discover(server, 'admin-portal', client.ClientSecretBasic(PORTAL_SECRET));
    expect(await refusal(portal, subject)).toBe('unauthorized_client');
  });
});
