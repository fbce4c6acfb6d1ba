import { describe, expect, it } from 'vitest';
import { needsRefresh, refreshSession, sessionAlive, superseded } from './refresh.ts';
import type { StoredSession } from './store.ts';
import { REFRESH_MARGIN_SECONDS, refreshDue } from './tokens.ts';

const NOW = 1_800_000_000;
const session = (expiresAt: number, klineExpiresAt?: number): StoredSession => ({
  accessToken: 'a',
  refreshToken: 'r',
  expiresAt,
  signedInAt: NOW - 600,
  user: { sub: 'u', username: 'u', name: '', email: '' },
  // A flow token far from expiry, so only the tokens under test decide (resource-tokens.ts).
  resources: { flow: { accessToken: 'f', expiresAt: NOW + 3600 } },
  ...(klineExpiresAt === undefined
    ? {}
    : { markets: true, kline: { accessToken: 'k', expiresAt: klineExpiresAt } }),
});

describe('when the session is refreshed', () => {
  it('when the admin token is about to expire', () => {
    expect(needsRefresh(session(NOW + REFRESH_MARGIN_SECONDS + 5), NOW)).toBe(false);
    expect(needsRefresh(session(NOW + REFRESH_MARGIN_SECONDS - 1), NOW)).toBe(true);
  });

  it('when the kline token is about to expire, even if the admin token is not', () => {
    expect(needsRefresh(session(NOW + 300, NOW + 300), NOW)).toBe(false);
    expect(needsRefresh(session(NOW + 300, NOW + REFRESH_MARGIN_SECONDS - 1), NOW)).toBe(true);
  });
});

describe('a token with a short lifetime', () => {
  // An unsigned JWT-shaped token: refreshDue reads only `iat` (the timing of a refresh, not trust).
  const jwt = (iat: number) =>
    `e30.${Buffer.from(JSON.stringify({ iat, exp: iat + 30 })).toString('base64url')}.c2ln`;

  it('is refreshed in the second half of its life, not on every request', () => {
    const issued = NOW - 10;
    const token = { accessToken: jwt(issued), expiresAt: issued + 30 };
    expect(refreshDue(token, NOW)).toBe(false); // 20 s of 30 left
    expect(refreshDue(token, NOW + 6)).toBe(true); // 14 s left
    expect(needsRefresh({ ...session(NOW + 300), resources: { flow: token } }, NOW)).toBe(false);
    expect(needsRefresh({ ...session(NOW + 300), resources: { flow: token } }, NOW + 6)).toBe(true);
  });

  it('while long-lived and opaque tokens keep the full margin', () => {
    const long = { accessToken: jwt(NOW - 270), expiresAt: NOW + 30 };
    expect(refreshDue({ ...long, expiresAt: NOW + REFRESH_MARGIN_SECONDS + 1 }, NOW)).toBe(false);
    expect(refreshDue({ ...long, expiresAt: NOW + REFRESH_MARGIN_SECONDS - 1 }, NOW)).toBe(true);
    expect(refreshDue({ accessToken: 'opaque', expiresAt: NOW + REFRESH_MARGIN_SECONDS - 1 }, NOW)).toBe(
      true,
    );
    expect(refreshDue({ accessToken: 'not.a.jwt', expiresAt: NOW + REFRESH_MARGIN_SECONDS - 1 }, NOW)).toBe(
      true,
    );
  });
});

describe('with Workflows', () => {
  it('also when the flow token is missing or about to expire', () => {
    const fresh = session(NOW + 300);
    expect(needsRefresh({ ...fresh, resources: {} }, NOW)).toBe(true);
    expect(
      needsRefresh({ ...fresh, resources: { flow: { accessToken: 'f', expiresAt: NOW + 5 } } }, NOW),
    ).toBe(true);
    // null: the user's roles allow no flow scope; asking again at every request would be pointless.
    expect(needsRefresh({ ...fresh, resources: { flow: null } }, NOW)).toBe(false);
  });
});

describe('whether the grant behind a session still stands', () => {
  // oauth-service as sessionAlive sees it: the refresh tokens it would call active.
  const provider = (active: Set<string>) => {
    const asked: string[] = [];
    const introspect = async (token: string) => {
      asked.push(token);
      return active.has(token);
    };
    return { asked, introspect };
  };
  const withRefreshToken = (refreshToken: string): StoredSession => ({ ...session(NOW + 300), refreshToken });

  it('asks oauth-service about the refresh token, and a revoked grant ends the session', async () => {
    const live = provider(new Set(['live-1']));
    expect(await sessionAlive(withRefreshToken('live-1'), live.introspect)).toBe(true);
    expect(await sessionAlive(withRefreshToken('revoked-1'), live.introspect)).toBe(false);
    expect(live.asked).toEqual(['live-1', 'revoked-1']);
  });

  it('follows a rotation this portal made instead of calling the spent token revoked', async () => {
    // A request still holding rt-a while a concurrent request of the same browser refreshed it to rt-b.
    const old = withRefreshToken('rt-a');
    expect(superseded(old)).toBe(false);
    const refreshed = await refreshSession(old, async () => withRefreshToken('rt-b'));
    expect(refreshed?.refreshToken).toBe('rt-b');
    // A later request still bringing rt-a's cookie gets rt-b's session back (proxy.ts), from memory.
    expect(superseded(old)).toBe(true);
    expect(superseded(refreshed!)).toBe(false);
    const again = await refreshSession(old, async () => {
      throw new Error('a spent refresh token must not be presented again');
    });
    expect(again?.refreshToken).toBe('rt-b');
    const oauth = provider(new Set(['rt-b']));
    expect(await sessionAlive(old, oauth.introspect)).toBe(true);
    expect(oauth.asked).toEqual(['rt-b']);
    // ...but when the grant was revoked since, the successor says so.
    expect(await sessionAlive(old, provider(new Set()).introspect)).toBe(false);
  });

  it('ends the session when the refresh this portal made was refused', async () => {
    const old = withRefreshToken('rt-refused');
    expect(await refreshSession(old, async () => null)).toBeNull();
    const oauth = provider(new Set(['rt-refused']));
    expect(await sessionAlive(old, oauth.introspect)).toBe(false);
    expect(oauth.asked).toEqual([]);
  });

  it('looks again when the token was rotated while oauth-service was being asked', async () => {
    const old = withRefreshToken('rt-c');
    const oauth = provider(new Set(['rt-d']));
    const introspect = async (token: string) => {
      // The rotation lands while this question is in flight: the answer for rt-c is "inactive".
      if (token === 'rt-c') await refreshSession(old, async () => withRefreshToken('rt-d'));
      return oauth.introspect(token);
    };
    expect(await sessionAlive(old, introspect)).toBe(true);
    expect(oauth.asked).toEqual(['rt-c', 'rt-d']);
  });
});
