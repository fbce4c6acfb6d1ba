import { describe, expect, it } from 'vitest';
import { parsePortalConfig } from '../config.ts';
import { type ResourceExchange, refreshResourceTokens, resourceTokensStale } from './resource-tokens.ts';
import type { StoredSession } from './store.ts';

const config = parsePortalConfig({
  OAUTH_CLIENT_SECRET: 'x'.repeat(43),
  PUBLIC_URL: 'http://localhost:8080',
});
const now = Math.floor(Date.now() / 1000);
const session = (extra: Partial<StoredSession> = {}): StoredSession => ({
  accessToken: 'admin-at',
  refreshToken: 'rt-0',
  expiresAt: now + 300,
  signedInAt: now,
  user: { sub: 'u-1', username: 'admin', name: '', email: '' },
  ...extra,
});

describe('tokens for the other platform APIs', () => {
  it('is stale when a resource was never asked for or its token is about to expire, not when refused', () => {
    expect(resourceTokensStale(session())).toBe(true);
    expect(
      resourceTokensStale(session({ resources: { flow: { accessToken: 'f', expiresAt: now + 300 } } })),
    ).toBe(false);
    expect(
      resourceTokensStale(session({ resources: { flow: { accessToken: 'f', expiresAt: now + 10 } } })),
    ).toBe(true);
    expect(resourceTokensStale(session({ resources: { flow: null } }))).toBe(false);
    // Without a refresh token nothing can be obtained: never stale (the session is not cleared for it).
    expect(resourceTokensStale(session({ refreshToken: undefined }))).toBe(false);
  });

  it('asks for the flow audience with the newest refresh token and keeps the rotated one', async () => {
    const calls: Array<[string, string]> = [];
    const exchange: ResourceExchange = async (refreshToken, resource) => {
      calls.push([refreshToken, resource]);
      return { accessToken: 'flow-at', refreshToken: 'rt-1', expiresIn: 120, scope: 'flow:read flow:run' };
    };
    const refreshed = await refreshResourceTokens(session(), exchange, config);
    expect(calls).toEqual([['rt-0', 'http://localhost:8080/flow']]);
    expect(refreshed.refreshToken).toBe('rt-1');
    expect(refreshed.accessToken).toBe('admin-at');
    expect(refreshed.resources?.flow?.accessToken).toBe('flow-at');
    expect(refreshed.resources?.flow?.expiresAt).toBeGreaterThanOrEqual(now + 119);
  });

  it('records null when oauth-service refuses or grants no scope, keeping the refresh token it has', async () => {
    const refused = await refreshResourceTokens(session(), async () => null, config);
    expect(refused.resources).toEqual({ flow: null });
    expect(refused.refreshToken).toBe('rt-0');
    const empty = await refreshResourceTokens(
      session(),
      async () => ({ accessToken: 'opaque', refreshToken: 'rt-2', scope: '' }),
      config,
    );
    expect(empty.resources).toEqual({ flow: null });
    expect(empty.refreshToken).toBe('rt-2');
  });

  it('keeps the session (and its newest refresh token) when oauth-service cannot be reached', async () => {
    const before = session({
      refreshToken: 'rt-rotated',
      resources: { flow: { accessToken: 'old', expiresAt: now + 5 } },
    });
    const after = await refreshResourceTokens(
      before,
      async () => {
        throw new TypeError('fetch failed');
      },
      config,
    );
    expect(after.refreshToken).toBe('rt-rotated');
    expect(after.resources).toEqual({ flow: { accessToken: 'old', expiresAt: now + 5 } });
    expect(resourceTokensStale(after)).toBe(true);
  });

  it('does nothing without a refresh token', async () => {
    const without = session({ refreshToken: undefined });
    expect(await refreshResourceTokens(without, async () => ({ accessToken: 'x' }), config)).toBe(without);
  });
});
