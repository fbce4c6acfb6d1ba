import { describe, expect, it } from 'vitest';
import type { StoredSession } from '../lib/session/store.ts';
import { refusal, sessionCookie } from './markets-relay.ts';

const NOW = 1_800_000_000;
const session = (klineExpiresAt?: number): StoredSession => ({
  accessToken: 'a',
  expiresAt: NOW + 300,
  signedInAt: NOW,
  user: { sub: 'u', username: 'u', name: '', email: '' },
  ...(klineExpiresAt ? { kline: { accessToken: 'k', expiresAt: klineExpiresAt } } : {}),
});
const PORTAL = 'http://localhost:8080';

describe('Markets WebSocket relay', () => {
  it('finds the session cookie among others', () => {
    expect(sessionCookie('a=1; portal_session=abc.def=; b=2')).toBe('abc.def=');
    expect(sessionCookie('a=1')).toBeUndefined();
    expect(sessionCookie(undefined)).toBeUndefined();
  });

  it('refuses other origins (cross-site WebSocket hijacking), no session, and a missing or expiring kline token', () => {
    expect(refusal('http://evil.test', session(NOW + 300), PORTAL, NOW)).toMatchObject({ status: 403 });
    expect(refusal(undefined, session(NOW + 300), PORTAL, NOW)).toMatchObject({ status: 403 });
    expect(refusal(PORTAL, null, PORTAL, NOW)).toMatchObject({ status: 401 });
    expect(refusal(PORTAL, session(), PORTAL, NOW)).toMatchObject({ status: 401 });
    expect(refusal(PORTAL, session(NOW + 2), PORTAL, NOW)).toMatchObject({ status: 401 });
    expect(refusal(PORTAL, session(NOW + 300), PORTAL, NOW)).toBeNull();
  });
});
