import { describe, expect, it } from 'vitest';
import type { BaseSession } from './cookies.ts';
import { refreshSession, sessionAlive, superseded } from './refresh.ts';

const NOW = 1_800_000_000;
const session = (expiresAt: number): BaseSession => ({
  accessToken: 'a',
  refreshToken: 'r',
  expiresAt,
  signedInAt: NOW - 600,
  user: { sub: 'u', username: 'u', name: '', email: '' },
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
  const withRefreshToken = (refreshToken: string): BaseSession => ({ ...session(NOW + 300), refreshToken });

  it('asks oauth-service about the refresh token, and a revoked grant ends the session', async () => {
    const live = provider(new Set(['live-1']));
    expect(await sessionAlive(withRefreshToken('live-1'), live.introspect)).toBe(true);
    expect(await sessionAlive(withRefreshToken('revoked-1'), live.introspect)).toBe(false);
    expect(live.asked).toEqual(['live-1', 'revoked-1']);
  });

  it('follows a rotation this process made instead of calling the spent token revoked', async () => {
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

  it('ends the session when the refresh this process made was refused', async () => {
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
