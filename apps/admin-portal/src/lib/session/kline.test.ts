import { createTestIssuer, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { klinePermissionsWith } from './kline.ts';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './tokens.ts';

const KLINE = 'http://localhost:8080/kline';

describe('kline permissions of a session', () => {
  let issuer: TestIssuer;
  let verify: AccessTokenVerifier;
  const user = { sub: 'u-1', username: 'admin', name: 'Admin', email: '' };
  const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    verify = createAccessTokenVerifier({ issuer: issuer.issuer, audience: KLINE, jwksUrl: issuer.jwksUri });
  });
  afterAll(() => issuer.close());

  const session = async (claims: Partial<Parameters<TestIssuer['mint']>[0]>, expiresAt = inAMinute()) => ({
    user,
    kline: {
      accessToken: await issuer.mint({ client_id: 'admin-portal', aud: KLINE, sub: 'u-1', ...claims }),
      expiresAt,
    },
  });

  it('are the verified kline token’s kline scopes', async () => {
    expect([...(await klinePermissionsWith(await session({ scope: 'kline:read' }), verify))]).toEqual([
      'kline:read',
    ]);
  });

  it('never lend the kline token other resources’ scopes', async () => {
    const permissions = await klinePermissionsWith(
      await session({ scope: 'kline:read admin:write' }),
      verify,
    );
    expect([...permissions]).toEqual(['kline:read']);
  });

  it('are none without a token, with an empty scope, or when the token is not a good kline token', async () => {
    expect((await klinePermissionsWith({ user }, verify)).size).toBe(0);
    expect((await klinePermissionsWith(await session({ scope: '' }), verify)).size).toBe(0);
    const admin = await issuer.mint({
      client_id: 'admin-portal',
      aud: 'http://localhost:8080/api/admin',
      sub: 'u-1',
      scope: 'kline:read',
    });
    expect(
      (await klinePermissionsWith({ user, kline: { accessToken: admin, expiresAt: inAMinute() } }, verify))
        .size,
    ).toBe(0);
    expect(
      (await klinePermissionsWith(await session({ scope: 'kline:read', sub: 'u-2' }), verify)).size,
    ).toBe(0);
    expect(
      (await klinePermissionsWith(await session({ scope: 'kline:read', foreignKey: true }), verify)).size,
    ).toBe(0);
    const expired = await session({ scope: 'kline:read' }, Math.floor(Date.now() / 1000) - 1);
    expect((await klinePermissionsWith(expired, verify)).size).toBe(0);
  });
});
