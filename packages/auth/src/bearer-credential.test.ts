import { describe, expect, it } from 'vitest';
import { headerCount, parseAuthorization } from './bearer-credential.ts';

describe('parseAuthorization', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer a-b_c~d+e/f==', 'a-b_c~d+e/f=='],
  ])('reads the bearer token from %j', (header, token) => {
    expect(parseAuthorization(header)).toEqual({ kind: 'token', scheme: 'bearer', token });
  });

  it.each([
    ['DPoP abc.def.ghi', 'abc.def.ghi'],
    ['dpop abc', 'abc'],
  ])('reads the DPoP token from %j', (header, token) => {
    expect(parseAuthorization(header)).toEqual({ kind: 'token', scheme: 'dpop', token });
  });

  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearerabc', 'DPoPabc', 'Token abc'])(
    'treats %j as no access token',
    (header) => {
      expect(parseAuthorization(header)).toEqual({ kind: 'none' });
    },
  );

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer a=b',
    'Bearer "abc"',
    'Bearer abc,def',
    'Bearer\tabc',
    'DPoP',
    'Bearer abc, DPoP def',
    'DPoP abc, Bearer def',
  ])('flags %j as malformed', (header) => {
    expect(parseAuthorization(header)).toEqual({ kind: 'malformed' });
  });
});

describe('headerCount', () => {
  it('counts a field however it is spelled', () => {
    expect(headerCount(['DPoP', 'a', 'Host', 'x', 'dpop', 'b'], 'dpop')).toBe(2);
    expect(headerCount(['Host', 'x'], 'dpop')).toBe(0);
  });
});
