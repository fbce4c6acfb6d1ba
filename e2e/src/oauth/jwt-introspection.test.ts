// Introspection (RFC 7662) of JWT access tokens through the gateway, with openid-client: a live token is
// active with the fields an opaque token's answer has; an expired one, one whose grant was revoked (by its
// client, or by an administrator's "sign out everywhere") and a forged one are inactive, never an error.
import { describeEachDialect } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../ops/gateway.ts';
import {
  adminAccessToken,
  adminFetch,
  codeFlow,
  createUserWithRole,
  discover,
  type OAuthServer,
  portalConfig,
  startOAuthServer,
} from './harness.ts';

const USER = {
  login: 'introspection-e2e',
  password: 'violet-harbor-lantern-9',
  email: 'introspection-e2e@example.test',
};
/** Short enough to wait for one to expire. */
const ACCESS_TOKEN_TTL = 5;

describeEachDialect('introspection of JWT access tokens through the gateway', (temp) => {
  let gateway: Gateway;
  let server: OAuthServer;
  let portal: client.Configuration;

  beforeAll(async () => {
    const gatewayPort = await freePort();
    server = await startOAuthServer(temp().url, {
      issuer: `http://127.0.0.1:${gatewayPort}`,
      env: { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) },
    });
    gateway = await startGateway({ UPSTREAM_OAUTH_1: `127.0.0.1:${server.service.port}` }, gatewayPort);
    portal = await portalConfig(server);
  });

  afterAll(async () => {
    await gateway?.stop();
    await server?.stop();
  });

  it('a live JWT is active with its fields, for any confidential client; once expired it is inactive', async () => {
    const tokens = await codeFlow(server, portal);
    const claims = decodeJwt(tokens.access_token);
    const answer = await client.tokenIntrospection(portal, tokens.access_token);
    expect(answer).toEqual({
      active: true,
      sub: claims.sub,
      client_id: 'admin-portal',
      scope: 'test:read',
      aud: `${server.issuer}/test`,
      iss: server.issuer,
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      token_type: 'Bearer',
      preferred_username: 'admin',
      username: 'admin',
    });
    const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
    expect((await client.tokenIntrospection(machine, tokens.access_token)).active).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, claims.exp! * 1000 + 1000 - Date.now()));
    expect(await client.tokenIntrospection(portal, tokens.access_token)).toEqual({ active: false });
  });

  it("a JWT whose grant is revoked, by its client or by an administrator's sign out everywhere, is inactive", async () => {
    const revokedByClient = await codeFlow(server, portal);
    expect((await client.tokenIntrospection(portal, revokedByClient.access_token)).active).toBe(true);
    await client.tokenRevocation(portal, revokedByClient.refresh_token!, {
      token_type_hint: 'refresh_token',
    });
    expect(await client.tokenIntrospection(portal, revokedByClient.access_token)).toEqual({ active: false });

    const admin = await adminAccessToken(server, portal);
    const id = await createUserWithRole(server, admin, USER);
    const userTokens = await codeFlow(server, portal, {}, USER);
    expect((await client.tokenIntrospection(portal, userTokens.access_token)).active).toBe(true);
    expect((await adminFetch(server, admin, `/users/${id}/grants`, { method: 'DELETE' })).status).toBe(200);
    expect(await client.tokenIntrospection(portal, userTokens.access_token)).toEqual({ active: false });
  });

  it('a forged JWT is inactive, not an error', async () => {
    const tokens = await codeFlow(server, portal);
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(tokens.access_token))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-ours' })
      .sign(stranger.privateKey);
    expect(await client.tokenIntrospection(portal, forged)).toEqual({ active: false });
  });
});
