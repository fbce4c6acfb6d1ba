import { describe, expect, it } from 'vitest';
import { deriveKey, seal, unseal } from './crypto.ts';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const APP = 'admin-portal';

describe('session cookie crypto', () => {
  it('round-trips a payload and hides it from whoever holds the cookie', async () => {
    const key = deriveKey(SECRET, 'session', APP);
    const cookie = await seal({ accessToken: 'eyJ.secret.token', user: { sub: 'u1' } }, key, 60);
    expect(cookie.split('.')).toHaveLength(5); // compact JWE
    expect(cookie).not.toContain('secret');
    expect(Buffer.from(cookie.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('eyJ');
    const opened = await unseal<{ accessToken: string; user: { sub: string } }>(cookie, key);
    expect(opened?.accessToken).toBe('eyJ.secret.token');
    expect(opened?.user.sub).toBe('u1');
  });

  it('refuses a tampered cookie', async () => {
    const key = deriveKey(SECRET, 'session', APP);
    const cookie = await seal({ a: 1 }, key, 60);
    const parts = cookie.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(await unseal(parts.join('.'), key)).toBeNull();
  });

  it('refuses a cookie sealed under another secret, for another purpose or by another app', async () => {
    const cookie = await seal({ a: 1 }, deriveKey(SECRET, 'session', APP), 60);
    expect(await unseal(cookie, deriveKey(`${SECRET}-other`, 'session', APP))).toBeNull();
    expect(await unseal(cookie, deriveKey(SECRET, 'sign-in', APP))).toBeNull();
    expect(await unseal(cookie, deriveKey(SECRET, 'session', 'account-portal'))).toBeNull();
  });

  it('refuses an expired cookie', async () => {
    const key = deriveKey(SECRET, 'session', APP);
    const cookie = await seal({ a: 1 }, key, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await unseal(cookie, key)).toBeNull();
  });

  it('treats absent and garbage values as no session', async () => {
    const key = deriveKey(SECRET, 'session', APP);
    expect(await unseal(undefined, key)).toBeNull();
    expect(await unseal('', key)).toBeNull();
    expect(await unseal('not-a-jwe', key)).toBeNull();
  });
});
