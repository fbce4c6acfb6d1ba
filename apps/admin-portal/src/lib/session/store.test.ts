import { describe, expect, it } from 'vitest';
import { cookieOptions, safeReturnTo } from './store.ts';

describe('session cookie attributes', () => {
  it('is httpOnly, SameSite=Lax and scoped to the console path', () => {
    const options = cookieOptions({ portalUrl: 'http://localhost:8080/admin' }, 60);
    expect(options).toEqual({ httpOnly: true, sameSite: 'lax', secure: false, path: '/admin', maxAge: 60 });
  });

  it('is Secure whenever the console is served over https', () => {
    expect(cookieOptions({ portalUrl: 'https://platform.example.com/admin' }, 60).secure).toBe(true);
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
