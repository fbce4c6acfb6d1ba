import { describe, expect, it } from 'vitest';
import { needsRefresh, REFRESH_MARGIN_SECONDS } from './refresh.ts';
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
