import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminSuite, basic, PASSWORD, PORTAL, PUBLIC_URL } from '../admin/test-support.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { createKeyStore } from '../keys/key-store.ts';
import { checkAccessToken, GRANT_CLAIM, isStructuredToken, nameTheGrant } from './access-token-check.ts';
import { createMachineClient, FORM, opaqueUserTokens, TEST_RESOURCE, userJwt } from './test-support.ts';

describe('nameTheGrant', () => {
  it('adds the grant of a token issued under one, and nothing to a client_credentials token', () => {
    const jwt = { payload: {} as Record<string, unknown> };
    nameTheGrant(undefined, { grantId: 'g-1' }, jwt);
    expect(jwt.payload).toEqual({ [GRANT_CLAIM]: 'g-1' });
    const own = { payload: {} as Record<string, unknown> };
    nameTheGrant(undefined, {}, own);
    expect(own.payload).toEqual({});
  });

  it('tells compact JWS from opaque values', () => {
    expect(isStructuredToken('eyJhbGciOiJFUzI1NiJ9.e30.c2ln')).toBe(true);
    expect(isStructuredToken('opaque-token-value')).toBe(false);
  });
});

describeEachDialect('checkAccessToken: JWT and opaque access tokens of ours', (temp) => {
  const suite = adminSuite(temp);
  afterEach(() => {
    vi.useRealTimers();
  });

  const check = (token: string) => checkAccessToken(suite.h.service.providers.provider(), token);
  const admin = (method: 'POST' | 'DELETE', url: string) =>
    suite.h.app.inject({ method, url: `/api/admin${url}`, headers: suite.auth });

  const serviceKeyStore = () =>
    createKeyStore({
      db: suite.h.db,
      box: createSecretBox(suite.h.config.ENCRYPTION_KEY),
      maxTokenTtlSec: 3600,
    });

  /** A private signing key the service holds, and a token signed with it carrying `claims`. */
  async function signedByUs(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const keyStore = serviceKeyStore();
    const [signing] = (await keyStore.currentKeySet()).keys as JWK[];
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signing!.kid!, ...header })
      .sign(await importJWK(signing!, 'ES256'));
  }

  it("a live user's JWT: active, with its claims, grant, account, client, scope and expiry", async () => {
    const { user, tokens } = await userJwt(suite.h, 'live-jwt');
    const claims = decodeJwt(tokens.access_token);
    expect(claims[GRANT_CLAIM]).toEqual(expect.any(String));
    const result = await check(tokens.access_token);
    expect(result).toEqual({
      active: true,
      format: 'jwt',
      claims,
      grantId: claims[GRANT_CLAIM],
      accountId: user.id,
      clientId: PORTAL.clientId,
      scope: 'test:read',
      expiresAt: claims.exp,
    });
    expect(claims).toMatchObject({ sub: user.id, aud: TEST_RESOURCE, preferred_username: 'live-jwt' });
  });

  it("a client's own (client_credentials) JWT: active, no account, no grant", async () => {
    const token = await suite.h.clientToken('test:read', suite.h.machine, TEST_RESOURCE);
    expect(decodeJwt(token)).not.toHaveProperty(GRANT_CLAIM);
    const result = await check(token);
    expect(result).toMatchObject({ active: true, clientId: suite.h.machine.clientId, scope: 'test:read' });
    expect(result).not.toHaveProperty('accountId');
    expect(result).not.toHaveProperty('grantId');
  });

  it('an opaque access token (no resource): active, saying what a JWT would', async () => {
    const user = await suite.h.createUser('opaque-user', ['user']);
    const token = (await opaqueUserTokens(suite.h, { login: 'opaque-user', password: PASSWORD }))
      .access_token;
    expect(isStructuredToken(token)).toBe(false);
    const result = await check(token);
    expect(result).toMatchObject({
      active: true,
      format: 'opaque',
      accountId: user.id,
      clientId: PORTAL.clientId,
      scope: 'openid',
      grantId: expect.any(String),
      claims: { sub: user.id, client_id: PORTAL.clientId, iss: PUBLIC_URL, scope: 'openid' },
    });
  });

  it('expired: inactive', async () => {
    const { tokens } = await userJwt(suite.h, 'expiring');
    expect((await check(tokens.access_token)).active).toBe(true);
    vi.useFakeTimers({ toFake: ['Date'], now: (decodeJwt(tokens.access_token).exp! + 1) * 1000 });
    expect(await check(tokens.access_token)).toEqual({ active: false });
  });

  it('its grant revoked at the revocation endpoint (the refresh token): inactive', async () => {
    const { tokens } = await userJwt(suite.h, 'revoked-by-client');
    const revoked = await suite.h.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: basic(PORTAL.clientId, PORTAL.secret), 'content-type': FORM },
      payload: new URLSearchParams({
        token: tokens.refresh_token!,
        token_type_hint: 'refresh_token',
      }).toString(),
    });
    expect(revoked.statusCode).toBe(200);
    expect(await check(tokens.access_token)).toEqual({ active: false });
  });

  it('an administrator revokes the application, or signs the user out everywhere: inactive', async () => {
    const one = await userJwt(suite.h, 'app-revoked');
    expect((await admin('DELETE', `/users/${one.user.id}/grants/${PORTAL.clientId}`)).statusCode).toBe(200);
    expect(await check(one.tokens.access_token)).toEqual({ active: false });

    const all = await userJwt(suite.h, 'signed-out-everywhere');
    expect((await admin('DELETE', `/users/${all.user.id}/grants`)).statusCode).toBe(200);
    expect(await check(all.tokens.access_token)).toEqual({ active: false });
  });

  it('the user disabled (even with the grant left), or their password reset: inactive', async () => {
    const left = await userJwt(suite.h, 'disabled-directly');
    await suite.h.users.setStatus(left.user.id, 'disabled');
    expect(await check(left.tokens.access_token)).toEqual({ active: false });

    const disabled = await userJwt(suite.h, 'disabled-by-admin');
    expect((await admin('POST', `/users/${disabled.user.id}/disable`)).statusCode).toBe(200);
    expect(await check(disabled.tokens.access_token)).toEqual({ active: false });

    const reset = await userJwt(suite.h, 'password-reset');
    const response = await suite.h.app.inject({
      method: 'POST',
      url: `/api/admin/users/${reset.user.id}/password`,
      headers: suite.auth,
      payload: { password: 'amber-meadow-compass-4' },
    });
    expect(response.statusCode).toBe(204);
    expect(await check(reset.tokens.access_token)).toEqual({ active: false });
  });

  it('its client disabled or deleted: inactive', async () => {
    const machine = async (name: string) => {
      const credentials = await createMachineClient(suite.h, name);
      const token = await suite.h.clientToken('test:read', credentials, TEST_RESOURCE);
      expect((await check(token)).active).toBe(true);
      return { clientId: credentials.clientId, token };
    };
    const disabled = await machine('soon disabled');
    expect((await admin('POST', `/clients/${disabled.clientId}/disable`)).statusCode).toBe(200);
    expect(await check(disabled.token)).toEqual({ active: false });
    const deleted = await machine('soon deleted');
    expect((await admin('DELETE', `/clients/${deleted.clientId}`)).statusCode).toBe(204);
    expect(await check(deleted.token)).toEqual({ active: false });
  });

  it('tampered, signed by an unknown key, of another issuer, not an access token, or garbage: inactive', async () => {
    const { tokens } = await userJwt(suite.h, 'forgeries');
    const [header, payload, signature] = tokens.access_token.split('.');
    const claims = decodeJwt(tokens.access_token);
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'test:read test:write' })).toString(
      'base64url',
    );
    expect(await check(`${header}.${widened}.${signature}`)).toEqual({ active: false });

    const stranger = await generateKeyPair('ES256');
    const kid = decodeProtectedHeader(tokens.access_token).kid!;
    const unknownKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(stranger.privateKey);
    expect(await check(unknownKey)).toEqual({ active: false });

    expect(await check(await signedByUs(claims))).toMatchObject({ active: true });
    expect(await check(await signedByUs({ ...claims, iss: 'https://elsewhere.example' }))).toEqual({
      active: false,
    });
    expect(await check(await signedByUs(claims, { typ: 'JWT' }))).toEqual({ active: false });
    // A user's token without its grant cannot be vouched for.
    const { [GRANT_CLAIM]: _grant, ...withoutGrant } = claims;
    expect(await check(await signedByUs(withoutGrant))).toEqual({ active: false });
    expect(await check(`${header}.${payload}`)).toEqual({ active: false });
    expect(await check('not-a-token')).toEqual({ active: false });
    expect(await check('')).toEqual({ active: false });
  });

  it('signed by a key replaced in a rotation but still published: active', async () => {
    const { tokens } = await userJwt(suite.h, 'rotation');
    const keyStore = serviceKeyStore();
    await keyStore.rotate(0);
    expect(await suite.h.service.providers.refresh()).toBe(true);
    const refreshed = (await suite.h.refresh(tokens.refresh_token!)).json();
    expect(decodeProtectedHeader(refreshed.access_token).kid).not.toBe(
      decodeProtectedHeader(tokens.access_token).kid,
    );
    expect((await check(tokens.access_token)).active).toBe(true);
    expect((await check(refreshed.access_token)).active).toBe(true);
  });
});
