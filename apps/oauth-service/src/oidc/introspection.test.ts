import { randomUUID } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, expect, it, vi } from 'vitest';
import { adminSuite, basic, PASSWORD, PORTAL, PUBLIC_URL } from '../admin/test-support.ts';
import { GRANT_CLAIM } from './access-token-check.ts';
import { createMachineClient, FORM, opaqueUserTokens, TEST_RESOURCE, userJwt } from './test-support.ts';

describeEachDialect('introspection endpoint (RFC 7662) for JWT access tokens', (temp) => {
  const suite = adminSuite(temp);
  afterEach(() => {
    vi.useRealTimers();
  });

  const portal = { clientId: PORTAL.clientId, secret: PORTAL.secret };
  const introspect = (
    token: string,
    caller: { clientId: string; secret?: string } = portal,
    extra: Record<string, string> = {},
  ) =>
    suite.h.app.inject({
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

  it("a live user's JWT: active, with the fields an opaque token's answer has", async () => {
    const { user, tokens } = await userJwt(suite.h, 'introspected');
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
    const opaque = await opaqueUserTokens(suite.h, { login: 'introspected', password: PASSWORD });
    expect((await introspect(opaque.access_token)).json()).toMatchObject({
      active: true,
      sub: user.id,
      preferred_username: 'introspected',
      username: 'introspected',
    });
    // Any confidential client may introspect it, as for opaque tokens.
    expect((await introspect(tokens.access_token, suite.h.machine)).json()).toMatchObject({ active: true });
  });

  it('expired: active false', async () => {
    const { tokens } = await userJwt(suite.h, 'introspected-expired');
    vi.useFakeTimers({ toFake: ['Date'], now: (decodeJwt(tokens.access_token).exp! + 1) * 1000 });
    const response = await introspect(tokens.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
  });

  it("its grant revoked (an administrator's sign out everywhere): active false", async () => {
    const { user, tokens } = await userJwt(suite.h, 'introspected-revoked');
    expect((await introspect(tokens.access_token)).json().active).toBe(true);
    const revoked = await suite.h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${user.id}/grants`,
      headers: suite.auth,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await introspect(tokens.access_token)).json()).toEqual({ active: false });
  });

  it('a forged, tampered or foreign JWT: 200 active false, never an error', async () => {
    const { tokens } = await userJwt(suite.h, 'introspected-forged');
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
    const metrics = await suite.h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.payload).not.toMatch(/oauth_endpoint_errors_total\{[^}]*unsupported_token_type/);
  });

  it('a DPoP-bound JWT: token_type DPoP and cnf.jkt', async () => {
    const keys = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${PUBLIC_URL}/oauth/token`, jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(keys.publicKey) })
      .setIssuedAt()
      .sign(keys.privateKey);
    const issued = await suite.h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(suite.h.machine.clientId, suite.h.machine.secret),
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
      sub: suite.h.machine.clientId,
      client_id: suite.h.machine.clientId,
      token_type: 'DPoP',
      cnf: { jkt },
    });
  });

  it("keeps the caller rules: a public client learns nothing of another's token; bad credentials are 401", async () => {
    const { tokens } = await userJwt(suite.h, 'introspected-by-public');
    const publicCaller = await introspect(tokens.access_token, { clientId: 'platform-cli' });
    expect(publicCaller.statusCode).toBe(200);
    expect(publicCaller.json()).toEqual({ active: false });
    const wrongSecret = await introspect(tokens.access_token, { clientId: PORTAL.clientId, secret: 'wrong' });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    const noToken = await suite.h.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': FORM, authorization: basic(portal.clientId, portal.secret) },
      payload: '',
    });
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json()).toMatchObject({ error: 'invalid_request' });
  });

  it("an opaque token of a disabled client, or a disabled user's refresh token left behind: active false", async () => {
    const holder = await createMachineClient(suite.h, 'opaque holder');
    const opaque = await suite.h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(holder.clientId, holder.secret), 'content-type': FORM },
      payload: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    const token = opaque.json().access_token as string;
    expect((await introspect(token)).json()).toMatchObject({ active: true, client_id: holder.clientId });
    const disabled = await suite.h.app.inject({
      method: 'POST',
      url: `/api/admin/clients/${holder.clientId}/disable`,
      headers: suite.auth,
    });
    expect(disabled.statusCode).toBe(200);
    expect((await introspect(token)).json()).toEqual({ active: false });

    const { user, tokens } = await userJwt(suite.h, 'introspected-disabled');
    expect((await introspect(tokens.refresh_token!)).json().active).toBe(true);
    await suite.h.users.setStatus(user.id, 'disabled');
    expect((await introspect(tokens.refresh_token!)).json()).toEqual({ active: false });
  });
});
