import * as client from 'openid-client';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// A cookie jar standing in for next/headers' (which needs a Next.js request scope).
const jar = vi.hoisted(() => {
  const values = new Map<string, string>();
  const set: Array<{ name: string; value: string; options: Record<string, unknown> }> = [];
  const deleted: Array<{ name: string; path: string }> = [];
  return {
    values,
    set,
    deleted,
    reset() {
      values.clear();
      set.length = 0;
      deleted.length = 0;
    },
    cookies: async () => ({
      get: (name: string) => (values.has(name) ? { name, value: values.get(name) } : undefined),
      set: (name: string, value: string, options: Record<string, unknown>) =>
        set.push({ name, value, options }),
      delete: (cookie: { name: string; path: string }) => deleted.push(cookie),
    }),
  };
});
vi.mock('next/headers', () => ({ cookies: jar.cookies }));

const { signInCallbackRoute, signInRoute } = await import('./sign-in.ts');

const PORTAL = 'https://auth.example.test/console';
const configuration = new client.Configuration(
  {
    issuer: 'https://auth.example.test',
    authorization_endpoint: 'https://auth.example.test/auth',
    token_endpoint: 'https://auth.example.test/token',
  },
  'console',
  'secret',
);

beforeEach(() => jar.reset());

describe('signInRoute', () => {
  it('sends the browser to authorize with PKCE, state and nonce, sealed in a cookie under /auth', async () => {
    const sealed: unknown[] = [];
    const signIn = signInRoute(() => ({
      portalUrl: PORTAL,
      signInCookie: 'test_sign_in',
      oidcConfiguration: async () => configuration,
      authorizationParameters: (base, query) =>
        new URLSearchParams({ ...base, scope: `openid ${query.get('extra') ?? ''}`.trim() }),
      sealSignIn: async (transaction, query) => {
        sealed.push({ ...transaction, extra: query.get('extra') });
        return { value: 'sealed-value', maxAge: 600 };
      },
    }));
    const response = await signIn(
      new Request(`${PORTAL}/auth/login?returnTo=//evil.example.test&extra=more`),
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://auth.example.test/auth');
    const query = location.searchParams;
    expect(query.get('redirect_uri')).toBe(`${PORTAL}/auth/callback`);
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('prompt')).toBe('consent');
    expect(query.get('scope')).toBe('openid more');
    expect(sealed).toEqual([
      expect.objectContaining({
        state: query.get('state'),
        nonce: query.get('nonce'),
        returnTo: '/',
        extra: 'more',
      }),
    ]);
    expect(jar.set).toEqual([
      expect.objectContaining({
        name: 'test_sign_in',
        value: 'sealed-value',
        options: expect.objectContaining({ path: '/console/auth', httpOnly: true, maxAge: 600 }),
      }),
    ]);
  });
});

describe('signInCallbackRoute', () => {
  const callback = (onProviderError?: () => Response | null) =>
    signInCallbackRoute(() => ({
      app: 'test-console',
      portalUrl: PORTAL,
      resource: 'https://api.example.test',
      signInCookie: 'test_sign_in',
      sessionCookie: 'test_session',
      oidcConfiguration: () => Promise.reject(new Error('not reached')),
      openSignIn: async (sealed) =>
        sealed ? { state: 's', nonce: 'n', verifier: 'v', returnTo: '/users' } : null,
      sealSession: () => Promise.reject(new Error('not reached')),
      ...(onProviderError ? { onProviderError } : {}),
      session: () => Promise.reject(new Error('not reached')),
    }));

  it('answers an expired or missing transaction with a reason, clearing the sign-in cookie', async () => {
    const response = await callback()(new Request(`${PORTAL}/auth/callback?code=c&state=s`));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${PORTAL}/?error=sign_in_expired`);
    expect(jar.deleted).toEqual([{ name: 'test_sign_in', path: '/console/auth' }]);
  });

  it('names access_denied and folds any other provider error into sign_in_failed', async () => {
    jar.values.set('test_sign_in', 'sealed');
    const denied = await callback()(new Request(`${PORTAL}/auth/callback?error=access_denied&state=s`));
    expect(denied.headers.get('location')).toBe(`${PORTAL}/?error=access_denied`);
    const other = await callback()(new Request(`${PORTAL}/auth/callback?error=server_error&state=s`));
    expect(other.headers.get('location')).toBe(`${PORTAL}/?error=sign_in_failed`);
  });

  it("answers a provider error the console handles with the console's response", async () => {
    jar.values.set('test_sign_in', 'sealed');
    const retry = new Response(null, { status: 303, headers: { location: `${PORTAL}/auth/login?again=1` } });
    const response = await callback(() => retry)(new Request(`${PORTAL}/auth/callback?error=invalid_target`));
    expect(response).toBe(retry);
  });

  it('answers a failed code exchange with sign_in_failed', async () => {
    jar.values.set('test_sign_in', 'sealed');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await callback()(new Request(`${PORTAL}/auth/callback?code=c&state=s`));
    expect(response.headers.get('location')).toBe(`${PORTAL}/?error=sign_in_failed`);
    expect(errors).toHaveBeenCalledWith('test-console: sign-in callback failed:', 'not reached');
    errors.mockRestore();
  });
});
