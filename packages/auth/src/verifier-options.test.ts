import { describe, expect, it } from 'vitest';
import { resolveVerifierOptions, type TokenVerifierOptions } from './verifier-options.ts';

const base: TokenVerifierOptions = {
  issuer: 'https://issuer.test',
  jwksUri: 'https://issuer.test/jwks',
  audience: 'https://api.test/notes',
};

describe('resolveVerifierOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveVerifierOptions(base);
    expect(resolved).toMatchObject({
      issuer: 'https://issuer.test',
      audience: 'https://api.test/notes',
      algorithms: ['ES256', 'EdDSA'],
      clockToleranceSec: 5,
      cacheMaxEntries: 10_000,
      jwksCooldownMs: 30_000,
    });
    expect(resolved.keySource).toEqual({ kind: 'remote', url: new URL('https://issuer.test/jwks') });
    expect(resolved.now).toBe(Date.now);
  });

  it('accepts plain http for the JWKS (local and in-cluster issuers) and zero for every number', () => {
    const resolved = resolveVerifierOptions({
      ...base,
      jwksUri: 'http://127.0.0.1:4000/jwks',
      clockToleranceSec: 0,
      cacheMaxEntries: 0,
      jwksCooldownMs: 0,
      algorithms: ['RS256'],
    });
    expect(resolved).toMatchObject({
      clockToleranceSec: 0,
      cacheMaxEntries: 0,
      jwksCooldownMs: 0,
      algorithms: ['RS256'],
    });
  });

  it.each<[string, Partial<TokenVerifierOptions>, RegExp]>([
    ['an empty issuer', { issuer: '' }, /issuer must be a non-empty string/],
    ['an issuer that is not a URL', { issuer: 'issuer' }, /issuer must be a URL/],
    ['an empty audience', { audience: ' ' }, /audience/],
    ['a non-http jwksUri', { jwksUri: 'ftp://issuer.test/jwks' }, /jwksUri must be an http\(s\) URL/],
    ['a jwksUri that is not a URL', { jwksUri: 'jwks' }, /jwksUri/],
    ['HS256', { algorithms: ['HS256'] }, /"HS256" is not allowed/],
    ['none', { algorithms: ['ES256', 'none'] }, /"none" is not allowed/],
    ['no algorithms', { algorithms: [] }, /must not be empty/],
    ['a negative tolerance', { clockToleranceSec: -1 }, /clockToleranceSec/],
    ['a huge tolerance', { clockToleranceSec: 3600 }, /at most 300/],
    ['a fractional cache size', { cacheMaxEntries: 1.5 }, /cacheMaxEntries/],
    ['a negative cooldown', { jwksCooldownMs: -1 }, /jwksCooldownMs/],
    ['a NaN cooldown', { jwksCooldownMs: Number.NaN }, /jwksCooldownMs/],
    ['an infinite cooldown', { jwksCooldownMs: Number.POSITIVE_INFINITY }, /jwksCooldownMs/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => resolveVerifierOptions({ ...base, ...overrides })).toThrow(message);
  });

  it('takes an in-process key set loader instead of a JWKS URL', () => {
    const keys = () => ({ keys: [] });
    const { jwksUri: _omitted, ...withoutUri } = base;
    expect(resolveVerifierOptions({ ...withoutUri, keys }).keySource).toEqual({ kind: 'local', load: keys });
  });

  it.each<[string, Partial<TokenVerifierOptions>, RegExp]>([
    ['neither jwksUri nor keys', { jwksUri: undefined }, /jwksUri or keys is required/],
    ['both jwksUri and keys', { keys: () => ({ keys: [] }) }, /either jwksUri or keys, not both/],
    [
      'keys that is not a function',
      { jwksUri: undefined, keys: { keys: [] } as unknown as TokenVerifierOptions['keys'] },
      /keys must be a function/,
    ],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => resolveVerifierOptions({ ...base, ...overrides })).toThrow(message);
  });
});
