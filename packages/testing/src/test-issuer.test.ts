import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from './test-issuer.ts';

const AUD = 'https://api.example.test/notes';
const issuers: TestIssuer[] = [];

async function start(options?: Parameters<typeof createTestIssuer>[0]): Promise<TestIssuer> {
  const issuer = await createTestIssuer(options);
  issuers.push(issuer);
  return issuer;
}

async function fetchJwks(issuer: TestIssuer): Promise<JSONWebKeySet> {
  const response = await fetch(issuer.jwksUri);
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

afterEach(async () => {
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
});

describe('createTestIssuer', () => {
  it('serves its JWKS over HTTP and counts the requests', async () => {
    const issuer = await start();
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.jwksUri).toBe(`${issuer.issuer}/jwks`);
    expect(issuer.jwksRequests()).toBe(0);

    const jwks = await fetchJwks(issuer);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]?.kid).toBe(issuer.currentKid());
    expect(jwks.keys[0]?.d).toBeUndefined();
    expect(issuer.jwksRequests()).toBe(1);

    expect((await fetch(`${issuer.issuer}/other`)).status).toBe(404);
    expect(issuer.jwksRequests()).toBe(1);
  });

  it('mints RFC 9068 access tokens that verify against the published keys', async () => {
    const issuer = await start();
    const token = await issuer.mint({
      client_id: 'app-1',
      aud: AUD,
      sub: 'alice',
      scope: ['notes:read', 'notes:write'],
    });

    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await fetchJwks(issuer)), {
      issuer: issuer.issuer,
      audience: AUD,
      typ: 'at+jwt',
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: issuer.currentKid() });
    expect(payload).toMatchObject({ iss: issuer.issuer, sub: 'alice', aud: AUD, client_id: 'app-1' });
    expect(payload.scope).toBe('notes:read notes:write');
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.nbf).toBeUndefined();
  });

  it('gives every token its own jti', async () => {
    const issuer = await start();
    const tokens = await Promise.all([1, 2, 3].map(() => issuer.mint({ client_id: 'c', aud: AUD })));
    expect(new Set(tokens.map((token) => decodeJwt(token).jti)).size).toBe(3);
  });

  it('honours the token issuer, timing, typ, kid and claim options', async () => {
    const issuer = await start({ issuer: 'https://issuer.example.test' });
    const token = await issuer.mint({
      client_id: 'app',
      aud: [AUD, 'other'],
      scope: 'a b',
      issuedAt: 1_000,
      expiresIn: 60,
      notBefore: 1_010,
      typ: 'JWT',
      kid: 'nobody-has-this',
      jti: 'fixed',
      claims: { sub: undefined, tenant: 't1' },
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'JWT', kid: 'nobody-has-this' });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({
      iss: 'https://issuer.example.test',
      aud: [AUD, 'other'],
      iat: 1_000,
      exp: 1_060,
      nbf: 1_010,
      jti: 'fixed',
      scope: 'a b',
      tenant: 't1',
    });
    expect('sub' in payload).toBe(false);

    const untyped = await issuer.mint({ client_id: 'app', aud: AUD, typ: null });
    expect(decodeProtectedHeader(untyped).typ).toBeUndefined();
  });

  it('mints tokens that must fail: unsecured, HMAC and foreign-key signed', async () => {
    const issuer = await start();
    const keys = createLocalJWKSet(issuer.jwks());

    const unsecured = await issuer.mint({ client_id: 'c', aud: AUD, alg: 'none' });
    expect(unsecured.endsWith('.')).toBe(true);
    expect(decodeProtectedHeader(unsecured).alg).toBe('none');

    const hmac = await issuer.mint({ client_id: 'c', aud: AUD, alg: 'HS256' });
    expect(decodeProtectedHeader(hmac).alg).toBe('HS256');

    const foreign = await issuer.mint({ client_id: 'c', aud: AUD, foreignKey: true });
    expect(decodeProtectedHeader(foreign).kid).toBe(issuer.currentKid());
    await expect(jwtVerify(foreign, keys)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);

    // A different asymmetric algorithm has no published key at all.
    const es384 = await issuer.mint({ client_id: 'c', aud: AUD, alg: 'ES384' });
    expect(decodeProtectedHeader(es384).alg).toBe('ES384');
    await expect(jwtVerify(es384, keys)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('rotates keys: the new kid signs, the old key stays published', async () => {
    const issuer = await start();
    const oldKid = issuer.currentKid();
    const oldToken = await issuer.mint({ client_id: 'c', aud: AUD });

    const { kid } = await issuer.rotateKey();
    expect(kid).not.toBe(oldKid);
    expect(issuer.currentKid()).toBe(kid);
    const newToken = await issuer.mint({ client_id: 'c', aud: AUD });
    expect(decodeProtectedHeader(newToken).kid).toBe(kid);

    const jwks = await fetchJwks(issuer);
    expect(jwks.keys.map((key) => key.kid)).toEqual([oldKid, kid]);
    const keys = createLocalJWKSet(jwks);
    await expect(jwtVerify(oldToken, keys)).resolves.toBeDefined();
    await expect(jwtVerify(newToken, keys)).resolves.toBeDefined();
  });

  it('supports EdDSA keys', async () => {
    const issuer = await start({ alg: 'EdDSA' });
    const token = await issuer.mint({ client_id: 'c', aud: AUD });
    expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
    expect(issuer.jwks().keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    await expect(
      jwtVerify(token, createLocalJWKSet(issuer.jwks()), { audience: AUD }),
    ).resolves.toBeDefined();
  });

  it('simulates an outage: /jwks answers 503 and still counts', async () => {
    const issuer = await start();
    issuer.setJwksAvailable(false);
    expect((await fetch(issuer.jwksUri)).status).toBe(503);
    issuer.setJwksAvailable(true);
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect(issuer.jwksRequests()).toBe(2);
  });

  it('stops serving after close, even with a kept-alive connection open', async () => {
    const issuer = await start();
    await fetchJwks(issuer);
    await issuer.close();
    await expect(fetch(issuer.jwksUri)).rejects.toThrow();
    await issuer.close(); // idempotent
  });
});
