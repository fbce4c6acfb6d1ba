import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backchannelLogoutRoute, RELAY_HEADER } from './backchannel-logout.ts';
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
let keys: ReturnType<typeof createLocalJWKSet>;

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
  keys = createLocalJWKSet({ keys: [jwk] });
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

describe('several replicas', () => {
  /** Replica B: a real HTTP server around its own route (its own jti memory), recording what it answered. */
  async function startPeer() {
    const peerRoute = backchannelLogoutRoute(() => ({
      app: 'peer',
      issuer: ISSUER,
      clientId: CLIENT_ID,
      jwksUrl: `${ISSUER}/oauth/jwks`,
      portalUrl: PORTAL,
      keys,
    }));
    const seen: Array<{ path: string; relayed: boolean; status: number }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', async () => {
        const answer = await peerRoute(
          new Request(`http://peer${request.url}`, {
            method: 'POST',
            headers: request.headers as Record<string, string>,
            body,
          }),
        );
        seen.push({
          path: String(request.url),
          relayed: RELAY_HEADER in request.headers,
          status: answer.status,
        });
        response.writeHead(answer.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('the receiving replica relays the token to its peers, which verify it themselves and relay no further', async () => {
    const peer = await startPeer();
    try {
      const relaying = backchannelLogoutRoute(() => ({
        app: 'replica-a',
        issuer: ISSUER,
        clientId: CLIENT_ID,
        jwksUrl: `${ISSUER}/oauth/jwks`,
        portalUrl: PORTAL,
        keys,
        peersUrl: 'http://admin-portal-pods:3002',
        peerOrigins: async () => [peer.origin],
      }));
      const token = await logoutToken();
      const response = await relaying(
        new Request(`${PORTAL}/auth/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: token }),
        }),
      );
      expect(response.status).toBe(200);
      expect(peer.seen).toEqual([{ path: '/admin/auth/backchannel-logout', relayed: true, status: 200 }]);
      // A refused token is not relayed.
      await relaying(
        new Request(`${PORTAL}/auth/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: await logoutToken({ aud: 'someone-else' }) }),
        }),
      );
      expect(peer.seen).toHaveLength(1);
    } finally {
      peer.server.close();
    }
  });

  it('a "relayed" token is verified like any other: the relay header carries no authority', async () => {
    const forged = await route(
      new Request(`${PORTAL}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', [RELAY_HEADER]: '1' },
        body: new URLSearchParams({ logout_token: await logoutToken({}, stranger.privateKey) }),
      }),
    );
    expect(forged.status).toBe(400);
    expect(await opens(session({ sid: 'sid-1' }))).toBe(true);
  });
});
