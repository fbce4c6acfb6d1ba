import { randomUUID } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import {
  type AdminHarness,
  basic,
  bearer,
  PASSWORD,
  PORTAL,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';
import { createClientsRepository } from '../clients/clients.repository.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { GRANT_CLAIM } from './access-token-check.ts';
import { opaqueUserTokens } from './test-support.ts';

const TEST_RESOURCE = `${PUBLIC_URL}/test`;
const FORM = 'application/x-www-form-urlencoded';

describeEachDialect('introspection endpoint (RFC 7662) for JWT access tokens', (temp) => {
  let h: AdminHarness;
  let adminAuth: Record<string, string>;
  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    adminAuth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const portal = { clientId: PORTAL.clientId, secret: PORTAL.secret };
  const introspect = (
    token: string,
    caller: { clientId: string; secret?: string } = portal,
    extra: Record<string, string> = {},
  ) =>
    h.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: {
        'content-type': FORM,
        ...(caller.secret ? { authorization: basic(caller.clientId, caller.secret) } : {}),
      },
      payload: new URLSearchParams({
        token,
        ...(caller.secret ? {} : { client_id: caller.clientId }),
        ...extra,
      }).toString(),
    });
  const userJwt = async (username: string) => {
    const user = await h.createUser(username, ['user']);
    const { tokens } = await h.userTokens(
      { login: username, password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: TEST_RESOURCE },
    );
    return { user, tokens };
  };

  it("a live user's JWT: active, with the fields an opaque token's answer has", async () => {
    const { user, tokens } = await userJwt('introspected');
    const claims = decodeJwt(tokens.access_token);
    const response = await introspect(tokens.access_token, portal, { token_type_hint: 'access_token' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      active: true,
      sub: user.id,
      client_id: PORTAL.clientId,
      scope: 'test:read',
      aud: TEST_RESOURCE,
      iss: PUBLIC_URL,
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      token_type: 'Bearer',
      preferred_username: 'introspected',
      username: 'introspected',
    });
    expect(response.json()).not.toHaveProperty(GRANT_CLAIM);
    // An opaque access token's answer names the user the same way.
    const opaque = await opaqueUserTokens(h, { login: 'introspected', password: PASSWORD });
    expect((await introspect(opaque.access_token)).json()).toMatchObject({
      active: true,
      sub: user.id,
      preferred_username: 'introspected',
      username: 'introspected',
    });
    // Any confidential client may introspect it, as for opaque tokens.
    expect((await introspect(tokens.access_token, h.machine)).json()).toMatchObject({ active: true });
  });

  it('expired: active false', async () => {
    const { tokens } = await userJwt('introspected-expired');
    vi.useFakeTimers({ toFake: ['Date'], now: (decodeJwt(tokens.access_token).exp! + 1) * 1000 });
    const response = await introspect(tokens.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
  });

  it("its grant revoked (an administrator's sign out everywhere): active false", async () => {
    const { user, tokens } = await userJwt('introspected-revoked');
    expect((await introspect(tokens.access_token)).json().active).toBe(true);
    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${user.id}/grants`,
      headers: adminAuth,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await introspect(tokens.access_token)).json()).toEqual({ active: false });
  });

  it('a forged, tampered or foreign JWT: 200 active false, never an error', async () => {
    const { tokens } = await userJwt('introspected-forged');
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(tokens.access_token))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .sign(stranger.privateKey);
    const [header, , signature] = tokens.access_token.split('.');
    const tampered = `${header}.${Buffer.from('{"sub":"someone"}').toString('base64url')}.${signature}`;
    for (const token of [forged, tampered, `${header}.e30.`]) {
      const response = await introspect(token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ active: false });
    }
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.payload).not.toMatch(/oauth_endpoint_errors_total\{[^}]*unsupported_token_type/);
  });

  it('a DPoP-bound JWT: token_type DPoP and cnf.jkt', async () => {
    const keys = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${PUBLIC_URL}/oauth/token`, jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(keys.publicKey) })
      .setIssuedAt()
      .sign(keys.privateKey);
    const issued = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(h.machine.clientId, h.machine.secret),
        'content-type': FORM,
        host: new URL(PUBLIC_URL).host,
        dpop: proof,
      },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: TEST_RESOURCE,
        scope: 'test:read',
      }).toString(),
    });
    const token = issued.json().access_token as string;
    const jkt = (decodeJwt(token).cnf as { jkt: string }).jkt;
    expect(jkt).toEqual(expect.any(String));
    expect((await introspect(token)).json()).toMatchObject({
      active: true,
      sub: h.machine.clientId,
      client_id: h.machine.clientId,
      token_type: 'DPoP',
      cnf: { jkt },
    });
  });

  it("keeps the caller rules: a public client learns nothing of another's token; bad credentials are 401", async () => {
    const { tokens } = await userJwt('introspected-by-public');
    const publicCaller = await introspect(tokens.access_token, { clientId: 'platform-cli' });
    expect(publicCaller.statusCode).toBe(200);
    expect(publicCaller.json()).toEqual({ active: false });
    const wrongSecret = await introspect(tokens.access_token, { clientId: PORTAL.clientId, secret: 'wrong' });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    const noToken = await h.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': FORM, authorization: basic(portal.clientId, portal.secret) },
      payload: '',
    });
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json()).toMatchObject({ error: 'invalid_request' });
  });

  it("an opaque token of a disabled client, or a disabled user's refresh token left behind: active false", async () => {
    const clients = createClientsRepository(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
    const { client, clientSecret } = await clients.create({
      name: 'opaque holder',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scope: ['test:read'],
    });
    const opaque = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(client.client_id, clientSecret!), 'content-type': FORM },
      payload: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    const token = opaque.json().access_token as string;
    expect((await introspect(token)).json()).toMatchObject({ active: true, client_id: client.client_id });
    const disabled = await h.app.inject({
      method: 'POST',
      url: `/api/admin/clients/${client.client_id}/disable`,
      headers: adminAuth,
    });
    expect(disabled.statusCode).toBe(200);
    expect((await introspect(token)).json()).toEqual({ active: false });

    const { user, tokens } = await userJwt('introspected-disabled');
    expect((await introspect(tokens.refresh_token!)).json().active).toBe(true);
    await h.users.setStatus(user.id, 'disabled');
    expect((await introspect(tokens.refresh_token!)).json()).toEqual({ active: false });
  });
});
