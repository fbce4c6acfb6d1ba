import { describe, expect, it } from 'vitest';
import { cookieOptions, createSessionCookies, safeReturnTo, sessionUserFrom, withCookie } from './cookies.ts';

describe('session cookie attributes', () => {
  it('is httpOnly, SameSite=Lax and scoped to the console path', () => {
    const options = cookieOptions({ portalUrl: 'http://localhost:8080/admin' }, 60);
    expect(options).toEqual({ httpOnly: true, sameSite: 'lax', secure: false, path: '/admin', maxAge: 60 });
  });

  it('is Secure whenever the console is served over https', () => {
    expect(cookieOptions({ portalUrl: 'https://platform.example.com/account' }, 60).secure).toBe(true);
  });
});

describe('the session cookies of two consoles', () => {
  const secret = () => 'a-session-secret-of-at-least-32-characters';
  const admin = createSessionCookies({ app: 'admin-portal', secret });
  const account = createSessionCookies({ app: 'account-portal', secret });
  const session = {
    accessToken: 'a',
    expiresAt: 1,
    signedInAt: Math.floor(Date.now() / 1000),
    user: { sub: 'u', username: 'u', name: '', email: '' },
  };

  it('open only in the console that sealed them, even under one secret', async () => {
    const sealed = await admin.sealSession(session);
    expect((await admin.openSession(sealed.value))?.accessToken).toBe('a');
    expect(await account.openSession(sealed.value)).toBeNull();
    expect(await admin.openSignIn(sealed.value)).toBeNull();
  });
});

describe('return address after sign-in', () => {
  it('follows console paths only (no open redirect)', () => {
    expect(safeReturnTo('/users?search=a')).toBe('/users?search=a');
    for (const hostile of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'users',
      '',
      null,
      undefined,
    ])
      expect(safeReturnTo(hostile)).toBe('/');
  });
});

describe('helpers', () => {
  it('name the user from the ID token claims', () => {
    expect(sessionUserFrom({ sub: 's', preferred_username: 'ann' })).toEqual({
      sub: 's',
      username: 'ann',
      name: 'ann',
      email: '',
    });
  });

  it('replace one cookie of a Cookie header', () => {
    expect(withCookie('a=1; s=old; b=2', 's', 'new')).toBe('a=1; b=2; s=new');
    expect(withCookie('a=1; s=old', 's', null)).toBe('a=1');
  });
});
