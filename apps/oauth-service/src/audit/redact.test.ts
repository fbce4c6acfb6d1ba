import { describe, expect, it } from 'vitest';
import { cleanText, isSecretKey, redactDetails } from './redact.ts';

describe('isSecretKey', () => {
  it('flags keys that hold credentials, in any naming style', () => {
    for (const key of [
      'password',
      'newPassword',
      'client_secret',
      'clientSecret',
      'refresh_token',
      'accessToken',
      'ACCESSTOKEN',
      'id_token_hint',
      'code',
      'authorization_code',
      'code_verifier',
      'Authorization',
      'cookie',
      'private_jwk',
      'api-key',
      'apiKey',
      'otp',
      'passwordHash',
      'client_assertion',
      'credentials',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('keeps keys that only describe a secret, and ordinary ones', () => {
    for (const key of [
      'token_type',
      'grant_type',
      'key_id',
      'kid',
      'token_endpoint_auth_method',
      'code_challenge_method',
      'scope',
      'reason',
      'username',
      'error',
      'failed_login_count',
      'monkey',
      'encoded',
      '',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe('redactDetails', () => {
  it('strips secret keys at any depth and secret-looking values, keeping the rest', () => {
    const json = redactDetails({
      scope: 'openid test:read',
      password: 'hunter2hunter2',
      client_secret: 's3cr3t',
      nested: { refresh_token: 'rt', token_type: 'Bearer', list: [{ access_token: 'at', n: 1 }] },
      harmless: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
      hash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
      stored: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
      passwordChanged: true,
    });
    expect(JSON.parse(json)).toEqual({
      scope: 'openid test:read',
      nested: { token_type: 'Bearer', list: [{ n: 1 }] },
      passwordChanged: true,
    });
    expect(json).not.toMatch(/hunter2|s3cr3t|"rt"|"at"|eyJ|argon2/);
  });

  it('keeps JSON types and drops what JSON cannot hold', () => {
    const json = redactDetails({
      n: 1.5,
      inf: Number.POSITIVE_INFINITY,
      big: 12n,
      at: new Date(0),
      nothing: null,
      fn: () => 1,
      undef: undefined,
    });
    expect(JSON.parse(json)).toEqual({
      n: 1.5,
      inf: null,
      big: '12',
      at: '1970-01-01T00:00:00.000Z',
      nothing: null,
    });
  });

  it('bounds depth, counts, string length and total size', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10; i += 1) deep = { deeper: deep };
    expect(redactDetails(deep)).not.toContain('leaf');
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(JSON.parse(redactDetails(many)))).toHaveLength(50);
    expect(JSON.parse(redactDetails({ list: Array.from({ length: 80 }, (_, i) => i) })).list).toHaveLength(
      50,
    );
    expect(JSON.parse(redactDetails({ s: 'x'.repeat(5000) })).s).toHaveLength(1000);
    const huge = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(1000)]));
    expect(redactDetails(huge)).toBe('{"truncated":true}');
  });

  it('accepts only a plain object', () => {
    expect(redactDetails(undefined)).toBe('{}');
    expect(() => redactDetails([1, 2])).toThrow(TypeError);
    expect(() => redactDetails('text')).toThrow(TypeError);
  });
});

describe('cleanText', () => {
  it('replaces control characters and cuts without splitting a surrogate pair', () => {
    expect(cleanText('a\u0000b\nc\u2028', 100)).toBe('a\uFFFDb\uFFFDc\uFFFD');
    expect(cleanText('ab😀', 3)).toBe('ab');
    expect(cleanText('abc', 3)).toBe('abc');
  });
});
