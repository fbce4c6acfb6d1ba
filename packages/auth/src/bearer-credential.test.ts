import { describe, expect, it } from 'vitest';
import { parseBearerCredential } from './bearer-credential.ts';

describe('parseBearerCredential', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer a-b_c~d+e/f==', 'a-b_c~d+e/f=='],
  ])('reads the token from %j', (header, token) => {
    expect(parseBearerCredential(header)).toEqual({ kind: 'token', token });
  });

  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearerabc', 'Token abc'])(
    'treats %j as no bearer credentials',
    (header) => {
      expect(parseBearerCredential(header)).toEqual({ kind: 'none' });
    },
  );

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a=b', 'Bearer "abc"', 'Bearer abc,def', 'Bearer\tabc'])(
    'flags %j as malformed',
    (header) => {
      expect(parseBearerCredential(header)).toEqual({ kind: 'malformed' });
    },
  );
});
