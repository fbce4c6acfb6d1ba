import { describe, expect, it } from 'vitest';
import { signOutRoute } from './sign-out.ts';

describe('signOutRoute', () => {
  it('refuses a sign-out posted from another origin, before touching the session', async () => {
    let opened = false;
    const signOut = signOutRoute(() => ({
      app: 'test-console',
      portalUrl: 'https://auth.example.test/account',
      sessionCookie: 'test_session',
      openSession: async () => {
        opened = true;
        return null;
      },
      oidcConfiguration: () => Promise.reject(new Error('not reached')),
    }));
    const response = await signOut(
      new Request('https://auth.example.test/account/auth/logout', {
        method: 'POST',
        headers: { origin: 'https://evil.example.test' },
      }),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Cross-origin sign-out refused.');
    expect(opened).toBe(false);
  });
});
