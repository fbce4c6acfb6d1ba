import { randomUUID } from 'node:crypto';
import { EncryptJWT, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { deriveKey, seal, unseal } from './crypto.ts';

// A browser keeps a cookie only up to 4096 bytes (name, value and attributes): a larger session cookie is
// dropped silently and the console sends its user back to sign-in forever.

const SECRET = 'a-session-secret-of-at-least-32-characters';
const ISSUER = 'https://auth.example.com';
const COOKIE_ATTRIBUTES =
  '; Path=/admin; Expires=Mon, 07 Dec 2026 20:04:57 GMT; Max-Age=43200; HttpOnly; SameSite=lax';

async function tokenSigner() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = (await exportJWK(publicKey)).x!;
  return (typ: string, claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ, kid })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);
}

/** The admin console's session as oauth-service issues it: an ID token and three resources' access tokens. */
async function adminConsoleSession() {
  const sign = await tokenSigner();
  const sub = randomUUID();
  const sid = randomUUID();
  const grant = { grant_id: randomUUID().replace(/-/g, '') };
  const access = (resource: string, scope: string) =>
    sign('at+jwt', { sub, aud: `${ISSUER}${resource}`, client_id: 'admin-portal', scope, ...grant });
  return {
    accessToken: await access('/api/admin', 'openid profile email offline_access admin:read admin:write'),
    refreshToken: randomUUID() + randomUUID(),
    idToken: await sign('JWT', {
      sub,
      sid,
      aud: 'admin-portal',
      nonce: randomUUID(),
      auth_time: 1,
      acr: 'urn:platform:acr:mfa',
      amr: ['pwd', 'otp', 'mfa'],
      at_hash: 'x'.repeat(22),
      email: 'administrator@example.com',
      email_verified: true,
      name: 'Platform Administrator',
      preferred_username: 'administrator',
    }),
    kline: { accessToken: await access('/kline', 'kline:read'), expiresAt: 2 },
    flow: { accessToken: await access('/flow', 'flow:read flow:write flow:run flow:approve'), expiresAt: 2 },
    markets: true,
    expiresAt: 1,
    signedInAt: 1,
    sid,
    user: {
      sub,
      username: 'administrator',
      name: 'Platform Administrator',
      email: 'administrator@example.com',
    },
  };
}

describe('session cookie size', () => {
  it('keeps the admin console session, with all its tokens, under the browser cookie limit', async () => {
    const session = await adminConsoleSession();
    const cookie = await seal(session, deriveKey(SECRET, 'session', 'admin-portal'), 43_200);
    expect(`portal_session=${cookie}${COOKIE_ATTRIBUTES}`.length).toBeLessThan(3600);
    expect(await unseal(cookie, deriveKey(SECRET, 'session', 'admin-portal'))).toMatchObject(session);
  });

  it('still opens a cookie sealed without compression', async () => {
    const key = deriveKey(SECRET, 'session', 'admin-portal');
    const plain = await new EncryptJWT({ a: 1 })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime('1m')
      .encrypt(key);
    expect(await unseal(plain, key)).toMatchObject({ a: 1 });
  });
});
