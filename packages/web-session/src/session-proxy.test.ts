import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import type { BaseSession } from './cookies.ts';
import { createSessionProxy } from './session-proxy.ts';

// The proxy as Next.js runs it before a console's pages (paths without the basePath), with a session store
// that reads the cookie's value as a session name.

const PORTAL = 'http://localhost:8080/account';
const NOW = Math.floor(Date.now() / 1000);
const session = (refreshToken: string, expiresAt = NOW + 300): BaseSession => ({
  accessToken: 'a',
  refreshToken,
  expiresAt,
  signedInAt: NOW,
  user: { sub: 'u', username: 'u', name: '', email: '' },
});

function proxyWith(refresh: (s: BaseSession) => Promise<BaseSession | null>) {
  return createSessionProxy<BaseSession>({
    cookieName: 'account_session',
    portalUrl: () => PORTAL,
    openSession: async (value) =>
      value ? session(value, value.startsWith('due') ? NOW + 1 : NOW + 300) : null,
    sealSession: async (s) => ({ value: s.refreshToken!, maxAge: 60 }),
    needsRefresh: (s) => s.expiresAt - NOW < 30,
    refresh,
  });
}

const request = (path: string, cookie?: string) =>
  new NextRequest(`${PORTAL}${path}`, {
    headers: { accept: 'text/html', ...(cookie ? { cookie: `account_session=${cookie}` } : {}) },
    nextConfig: { basePath: '/account' },
  });

describe('the console session proxy', () => {
  it('sends a page opened without a session to sign-in, returning to it afterwards', async () => {
    const response = await proxyWith(async () => null)(request('/sessions?x=1'));
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${PORTAL}/auth/login`);
    expect(location.searchParams.get('returnTo')).toBe('/sessions?x=1');
  });

  it('lets the home page and the sign-in routes through without a session', async () => {
    expect((await proxyWith(async () => null)(request('/'))).status).toBe(200);
    expect((await proxyWith(async () => null)(request('/auth/callback'))).status).toBe(200);
  });

  it('refreshes a session about to expire, giving the new cookie to the browser and to this request', async () => {
    const response = await proxyWith(async () => session('fresh-token'))(request('/sessions', 'due-token'));
    expect(response.status).toBe(200);
    expect(response.cookies.get('account_session')?.value).toBe('fresh-token');
    expect(response.cookies.get('account_session')?.path).toBe('/account');
    expect(response.headers.get('x-middleware-request-cookie')).toContain('account_session=fresh-token');
  });

  it('clears the cookie and sends the page to sign-in when the provider refuses the refresh', async () => {
    const response = await proxyWith(async () => null)(request('/sessions', 'due-refused'));
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(/account_session=;.*Path=\/account/i);
  });

  it('keeps the session when oauth-service cannot be reached', async () => {
    const response = await proxyWith(async () => {
      throw new Error('ECONNREFUSED');
    })(request('/sessions', 'due-unreachable'));
    expect(response.status).toBe(200);
    expect(response.cookies.get('account_session')).toBeUndefined();
  });
});
