import { createTestIssuer, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTokenVerifier, createAccessTokenVerifier, isJwt } from './tokens.ts';

const AUDIENCE = 'http://localhost:8080/api/admin';

describe('access token verification', () => {
  let issuer: TestIssuer;
  let verify: AccessTokenVerifier;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    verify = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      jwksUrl: issuer.jwksUri,
    });
  });
  afterAll(() => issuer.close());

  const mint = (extra: Parameters<TestIssuer['mint']>[0] extends infer O ? Partial<O> : never = {}) =>
    issuer.mint({ client_id: 'admin-portal', aud: AUDIENCE, sub: 'u-1', scope: 'admin:read', ...extra });

  it('accepts a token signed by the token issuer for the admin API, with its scopes as permissions', async () => {
    const verified = await verify(await mint());
    expect(verified.sub).toBe('u-1');
    expect([...verified.permissions]).toEqual(['admin:read']);
  });

  it('accepts a token signed with a key rotated in after the first fetch', async () => {
    await verify(await mint());
    await issuer.rotateKey();
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // the JWKS cooldown
    expect((await verify(await mint())).sub).toBe('u-1');
  });

  it('refuses tokens that only decode', async () => {
    const refused: Array<[string, Promise<string>]> = [
      ['foreign key', mint({ foreignKey: true })],
      ['unknown kid', mint({ kid: 'nobody' })],
      ['alg none', mint({ alg: 'none' })],
      ['HMAC', mint({ alg: 'HS256' })],
      ['other audience', mint({ aud: 'http://localhost:8080/test' })],
      ['not an access token', mint({ typ: 'JWT' })],
      ['expired', mint({ expiresIn: -60 })],
      ['other issuer', mint({ claims: { iss: 'https://evil.example' } })],
      ['no subject', mint({ claims: { sub: undefined } })],
    ];
    for (const [why, token] of refused) await expect(verify(await token), why).rejects.toThrow();
  });

  it('tells JWTs from opaque tokens', async () => {
    expect(isJwt(await mint())).toBe(true);
    expect(isJwt('kV3r0pAqUe-token_value')).toBe(false);
  });
});
