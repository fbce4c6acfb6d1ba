// oauth-service end to end, driven by openid-client (a certified relying party) against the service started
// as an operator starts it, on SQLite and on PostgreSQL.
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import {
  codeFlow,
  discover,
  type OAuthServer,
  PORTAL_SECRET,
  portalConfig,
  startOAuthServer,
} from './harness.ts';
import { oauthError } from './oauth-error.ts';

describeEachDialect('oauth-service flows (openid-client)', (temp) => {
  let server: OAuthServer;
  let portal: client.Configuration;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    portal = await portalConfig(server);
  });
  afterAll(() => server?.stop());

  it('publishes discovery and RFC 8414 metadata for its issuer', async () => {
    const metadata = portal.serverMetadata();
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).not.toContain('password');
    expect(metadata.grant_types_supported).not.toContain('implicit');
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    const rfc8414 = await json(fetch(`${server.issuer}/.well-known/oauth-authorization-server`));
    expect(rfc8414.issuer).toBe(server.issuer);
    expect(rfc8414.token_endpoint).toBe(metadata.token_endpoint);
    const jwks = await json(fetch(metadata.jwks_uri!));
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('runs authorization code + PKCE through the sign-in and consent pages', async () => {
    const tokens = await codeFlow(server, portal);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(server.issuer);
    expect(claims.aud).toBe('admin-portal');
    // The access token is for the test audience, not userinfo, so profile claims ride in the ID token.
    expect(claims.preferred_username).toBe('admin');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: `${server.issuer}/test`,
      scope: 'test:read',
      client_id: 'admin-portal',
      sub: claims.sub,
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['test:read']));
  });

  it('rotates refresh tokens; reusing the old one fails and kills the new one too', async () => {
    const first = await codeFlow(server, portal);
    const second = await client.refreshTokenGrant(portal, first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(client.refreshTokenGrant(portal, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(portal, second.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('issues client_credentials tokens per resource audience, only for allowed scopes', async () => {
    const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
    for (const name of ['test', 'kline']) {
      const token = await client.clientCredentialsGrant(machine, {
        resource: `${server.issuer}/${name}`,
        scope: `${name}:read`,
      });
      expect(decodeJwt(token.access_token)).toMatchObject({
        aud: `${server.issuer}/${name}`,
        scope: `${name}:read`,
        sub: 'flow-service',
      });
      expect(token.token_type.toLowerCase()).toBe('bearer');
    }
    // At the admin API the machine client may hold only admin:authority (its http steps ask what a
    // definition's author may still do); an admin scope it asks for is left out of the token.
    const admin = await client.clientCredentialsGrant(machine, {
      resource: `${server.issuer}/api/admin`,
      scope: 'admin:read admin:authority',
    });
    expect(decodeJwt(admin.access_token)).toMatchObject({
      aud: `${server.issuer}/api/admin`,
      scope: 'admin:authority',
    });
    await expect(
      client.clientCredentialsGrant(machine, { resource: `${server.issuer}/flow`, scope: 'flow:read' }),
    ).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('introspects active and inactive tokens, revokes, and serves userinfo', async () => {
    const tokens = await codeFlow(server, portal, {
      resource: '',
      scope: 'openid profile email offline_access',
    });
    const active = await client.tokenIntrospection(portal, tokens.refresh_token!);
    expect(active.active).toBe(true);
    const info = await client.fetchUserInfo(portal, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject({ preferred_username: 'admin', email: 'admin@example.com' });
    await client.tokenRevocation(portal, tokens.refresh_token!);
    expect((await client.tokenIntrospection(portal, tokens.refresh_token!)).active).toBe(false);
    expect((await client.tokenIntrospection(portal, 'not-a-token')).active).toBe(false);
  });

  it('requires client authentication at the token endpoint', async () => {
    const wrong = await discover(server, 'admin-portal', client.ClientSecretBasic(`${PORTAL_SECRET}x`));
    const error = await client.tokenIntrospection(wrong, 'x').catch((e: unknown) => e);
    expect(oauthError(error)).toBe('invalid_client');
  });

  it('counts what happened in its metrics (after the tests above)', async () => {
    const metrics = await (await fetch(`${server.service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^oauth_tokens_issued_total\{grant_type="client_credentials",client_id="flow-service"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^oauth_tokens_issued_total\{grant_type="authorization_code",client_id="admin-portal"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^oauth_tokens_issued_total\{grant_type="refresh_token",client_id="admin-portal"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^oauth_refresh_token_reuse_total [1-9]/m);
    expect(metrics).toMatch(/^oauth_login_attempts_total\{result="success",factor="password"\} [1-9]/m);
    expect(metrics).toMatch(
      /^http_requests_total\{method="POST",route="\/oauth\/token",status="200"\} [1-9]/m,
    );
  });
});
