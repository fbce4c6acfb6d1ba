import { describe, expect, it } from 'vitest';
import { assertScopeTokens, isScopeToken } from './scope-token.ts';

describe('isScopeToken', () => {
  it.each(['notes:read', 'openid', 'https://api.example.test/notes.write', '!#[]~'])(
    'accepts %s',
    (scope) => {
      expect(isScopeToken(scope)).toBe(true);
    },
  );

  it.each(['', 'two words', 'quote"d', 'back\\slash', 'tab\t', 'ünicode', 'line\nbreak'])(
    'rejects %j',
    (scope) => {
      expect(isScopeToken(scope)).toBe(false);
    },
  );

  it('rejects non-strings', () => {
    expect(isScopeToken(42)).toBe(false);
    expect(isScopeToken(undefined)).toBe(false);
  });
});

describe('assertScopeTokens', () => {
  it('names the caller and the bad scope', () => {
    expect(() => assertScopeTokens('requireScopes', ['ok', 'not ok'])).toThrow(
      /requireScopes: "not ok" is not a valid OAuth scope/,
    );
    expect(() => assertScopeTokens('requireScopes', ['a', 'b'])).not.toThrow();
  });
});
