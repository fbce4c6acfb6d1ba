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
