import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backchannelLogoutRoute } from './backchannel-logout.ts';
import { createSessionCookies } from './cookies.ts';
import { endedSessions } from './ended-sessions.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from './logout-token.ts';

// The console side of OIDC Back-Channel Logout: a verified logout token ends the session of its sid (or sub)
// for every later opening of the cookie; every malformed or forged one is answered 400 and ends nothing.

const ISSUER = 'https://auth.example.test';
const CLIENT_ID = 'admin-portal';
const PORTAL = `${ISSUER}/admin`;

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let signing: Keys;
let stranger: Keys;
let route: ReturnType<typeof backchannelLogoutRoute>;

const cookies = createSessionCookies({ app: 'bcl-test', secret: () => 'x'.repeat(40) });
const now = () => Math.floor(Date.now() / 1000);
const session = (extra: Record<string, unknown> = {}) => ({
  accessToken: 'a',
  expiresAt: now() + 300,
  signedInAt: now() - 60,
  user: { sub: 'user-1', username: 'alice', name: 'Alice', email: 'a@example.test' },
  ...extra,
});

let counter = 0;
function claims(overrides: JWTPayload = {}): JWTPayload {
  counter += 1;
  return {
    iss: ISSUER,
    aud: CLIENT_ID,
    iat: now(),
    exp: now() + 600,
    jti: `jti-${counter}`,
    sub: 'user-1',
    sid: 'sid-1',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...overrides,
  };
}

async function logoutToken(overrides: JWTPayload = {}, key: CryptoKey = signing.privateKey, alg = 'ES256') {
  const payload = Object.fromEntries(Object.entries(claims(overrides)).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg, kid: 'k1', typ: 'logout+jwt' }).sign(key);
}

const post = (body: string, type = 'application/x-www-form-urlencoded') =>
  route(
    new Request(`${PORTAL}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    }),
  );
const postToken = (token: string) => post(new URLSearchParams({ logout_token: token }).toString());

/** Whether a cookie sealed for the session still opens. */
async function opens(value: ReturnType<typeof session>): Promise<boolean> {
  const sealed = await cookies.sealSession(value);
  return (await cookies.openSession(sealed.value)) !== null;
}

beforeAll(async () => {
  signing = await generateKeyPair('ES256', { extractable: true });
  stranger = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'ES256' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  route = backchannelLogoutRoute(() => ({
    app: 'test-console',
    issuer: ISSUER,
    clientId: CLIENT_ID,
    jwksUrl: `${ISSUER}/oauth/jwks`,
    portalUrl: PORTAL,
    keys,
  }));
});

beforeEach(() => endedSessions().clear());

describe('a valid logout token', () => {
  it('ends the session of its sid: 200, not cached, and the cookie no longer opens', async () => {
    expect(await opens(session({ sid: 'sid-1' }))).toBe(true);
    const response = await postToken(await logoutToken());
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await opens(session({ sid: 'sid-1' }))).toBe(false);
    // The same user's other sign-in session is not touched.
    expect(await opens(session({ sid: 'sid-2' }))).toBe(true);
  });

  it('ends a session sealed with only its ID token (the sid read from it)', async () => {
    const idToken = new UnsecuredJWT({ sub: 'user-1', sid: 'sid-1' }).encode();
    expect((await postToken(await logoutToken())).status).toBe(200);
    expect(await opens(session({ idToken }))).toBe(false);
  });

  it('without a sid ends every session of the sub begun before it, not a later sign-in', async () => {
    const response = await postToken(await logoutToken({ sid: undefined }));
    expect(response.status).toBe(200);
    expect(await opens(session({ sid: 'sid-9' }))).toBe(false);
    expect(await opens(session({ sid: 'sid-9', signedInAt: now() + 10 }))).toBe(true);
    expect(await opens({ ...session(), user: { ...session().user, sub: 'user-2' } })).toBe(true);
  });
});

describe('a refused logout token: 400, not cached, nothing ended', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ['wrong audience', () => logoutToken({ aud: 'account-console' })],
    ['wrong issuer', () => logoutToken({ iss: 'https://evil.example.test' })],
    ['a foreign signature', () => logoutToken({}, stranger.privateKey)],
    ['alg none', async () => new UnsecuredJWT(claims()).encode()],
    ['a nonce present', () => logoutToken({ nonce: 'n' })],
    ['no events claim', () => logoutToken({ events: undefined })],
    ['events without the back-channel event', () => logoutToken({ events: { 'urn:other': {} } })],
    ['neither sid nor sub', () => logoutToken({ sid: undefined, sub: undefined })],
    ['no jti', () => logoutToken({ jti: undefined })],
    ['a stale iat', () => logoutToken({ iat: now() - 3600 })],
    ['an iat in the future', () => logoutToken({ iat: now() + 3600 })],
    ['an expired token', () => logoutToken({ exp: now() - 60 })],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const response = await postToken(await make());
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await response.json()).error).toBe('invalid_request');
    expect(await opens(session({ sid: 'sid-1' }))).toBe(true);
  });

  it('a replayed jti (the first delivery ends the session, the replay is refused)', async () => {
    const token = await logoutToken();
    expect((await postToken(token)).status).toBe(200);
    endedSessions().clear();
    expect((await postToken(token)).status).toBe(400);
    expect(await opens(session({ sid: 'sid-1' }))).toBe(true);
  });

  it('another token type (an ID token) is refused', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .sign(signing.privateKey);
    expect((await postToken(token)).status).toBe(400);
  });

  it('no token, two tokens, or a JSON body', async () => {
    expect((await post('')).status).toBe(400);
    const token = await logoutToken();
    expect((await post(`logout_token=${token}&logout_token=${token}`)).status).toBe(400);
    expect((await post(JSON.stringify({ logout_token: token }), 'application/json')).status).toBe(400);
    expect(await opens(session({ sid: 'sid-1' }))).toBe(true);
  });
});
