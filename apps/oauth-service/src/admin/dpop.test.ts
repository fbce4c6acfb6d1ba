import { hash, randomUUID } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_RESOURCE, type AdminHarness, basic, PUBLIC_URL, startAdminHarness } from './test-support.ts';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** A DPoP proof (RFC 9449 §4.2) signed by `keys`; `ath` only for requests that carry an access token. */
async function proof(keys: KeyPair, htm: string, path: string, accessToken?: string): Promise<string> {
  return new SignJWT({
    htm,
    htu: `${PUBLIC_URL}${path}`,
    jti: randomUUID(),
    ...(accessToken ? { ath: hash('sha256', accessToken, 'base64url') } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt()
    .sign(keys.privateKey);
}

describeEachDialect('admin API with DPoP-bound tokens', (temp) => {
  let h: AdminHarness;
  let keys: KeyPair;
  let token: string;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    keys = await generateKeyPair('ES256', { extractable: true });
    const response = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(h.machine.clientId, h.machine.secret),
        'content-type': 'application/x-www-form-urlencoded',
        // oidc-provider checks its own proofs against the URL the request reached.
        host: new URL(PUBLIC_URL).host,
        dpop: await proof(keys, 'POST', '/oauth/token'),
      },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: ADMIN_RESOURCE,
        scope: 'admin:read',
      }).toString(),
    });
    expect(response.json()).toHaveProperty('access_token');
    token = response.json().access_token;
  });
  afterAll(() => h?.close());

  const users = (headers: Record<string, string>) =>
    h.app.inject({ method: 'GET', url: '/api/admin/users', headers });

  it('issues a token bound to the key', () => {
    expect((decodeJwt(token).cnf as { jkt?: string }).jkt).toBeTruthy();
  });

  it('refuses the bound token as Bearer, with a DPoP challenge', async () => {
    const response = await users({ authorization: `Bearer ${token}` });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^DPoP realm="oauth-service admin", error="invalid_token"/,
    );
  });

  it('accepts it with a proof of its key, once', async () => {
    const dpop = await proof(keys, 'GET', '/api/admin/users', token);
    expect((await users({ authorization: `DPoP ${token}`, dpop })).statusCode).toBe(200);
    const replay = await users({ authorization: `DPoP ${token}`, dpop });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_dpop_proof');
  });

  it("refuses another key's proof", async () => {
    const other = await generateKeyPair('ES256', { extractable: true });
    const response = await users({
      authorization: `DPoP ${token}`,
      dpop: await proof(other, 'GET', '/api/admin/users', token),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_dpop_proof');
  });

  it('advertises the proof algorithms in the RFC 9728 metadata', async () => {
    const metadata = await h.app.inject({ url: '/.well-known/oauth-protected-resource/api/admin' });
    expect(metadata.json().dpop_signing_alg_values_supported).toContain('ES256');
  });
});
