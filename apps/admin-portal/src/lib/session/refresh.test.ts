import { REFRESH_MARGIN_SECONDS, refreshDue } from '@platform/web-session';
import { describe, expect, it } from 'vitest';
import { needsRefresh } from './refresh.ts';
import type { StoredSession } from './store.ts';

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
