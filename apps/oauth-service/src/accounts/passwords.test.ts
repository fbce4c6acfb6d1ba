import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import {
  ARGON2_PARAMS,
  checkPasswordPolicy,
  hashPassword,
  isCommonPassword,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  verifyPassword,
} from './passwords.ts';

describe('password hashing', () => {
  it('hashes with argon2id and the OWASP parameters, salted per hash', async () => {
    expect(ARGON2_PARAMS).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const first = await hashPassword('a long enough passphrase');
    const second = await hashPassword('a long enough passphrase');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('passphrase');
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('verifies the NFKC-equivalent spelling of a password', async () => {
    // "ﬁ" (U+FB01 ligature) normalizes to "fi"; U+212B (Angstrom sign) to U+00C5.
    const hash = await hashPassword('ﬁnest \u212Bngstrom unit');
    expect(await verifyPassword(hash, 'finest \u00C5ngstrom unit')).toBe(true);
  });

  it('answers false, not an exception, for a malformed hash', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever password')).toBe(false);
    expect(await verifyPassword('', 'whatever password')).toBe(false);
  });

  it('asks for a rehash when the parameters or algorithm differ', async () => {
    expect(needsRehash(await hashPassword('some password here'))).toBe(false);
    const weaker = await argon2.hash('some password here', {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    expect(needsRehash(weaker)).toBe(true);
    const argon2i = await argon2.hash('some password here', { ...ARGON2_PARAMS, type: argon2.argon2i });
    expect(needsRehash(argon2i)).toBe(true);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });
});

describe('password policy', () => {
  const context = { username: 'alice', email: 'Alice.Smith@example.com' };

  it('accepts a long, uncommon password', () => {
    expect(checkPasswordPolicy('purple-otter-climbs-42', context)).toEqual([]);
  });

  it('enforces 12 to 128 characters, counting code points', () => {
    expect(checkPasswordPolicy('short pass', context)).toEqual(['must be at least 12 characters long']);
    expect(
      checkPasswordPolicy(
        'x'.repeat(PASSWORD_MAX_LENGTH + 1).replace(/x/g, (_, i) => String.fromCharCode(97 + (i % 26))),
        context,
      ),
    ).toContain('must be at most 128 characters long');
    // 12 emoji are 24 UTF-16 units but 12 characters: long enough, and 11 are not.
    expect(checkPasswordPolicy('🦊🐙🐝🦉🐢🦀🐬🦜🐌🦋🐞🦔', context)).toEqual([]);
    expect(checkPasswordPolicy('🦊🐙🐝🦉🐢🦀🐬🦜🐌🦋🐞', context)).toEqual([
      'must be at least 12 characters long',
    ]);
  });

  it('refuses the username and email local part, alone or inside, in any case', () => {
    expect(checkPasswordPolicy('xxAlicexxyyzz', context)).toEqual(['must not contain the username']);
    expect(checkPasswordPolicy('alice.smith', { email: context.email })).toContain(
      'must not be the part of the email address before the @',
    );
    expect(checkPasswordPolicy('my name is ALICE.SMITH', context)).toEqual([
      'must not contain the username',
      'must not contain the part of the email address before the @',
    ]);
    expect(checkPasswordPolicy('usernameusername', { username: 'usernameusername' })).toEqual([
      'must not be the username',
    ]);
  });

  it('refuses common passwords whatever their case, and repeated or sequential runs', () => {
    expect(isCommonPassword('Password1234')).toBe(true);
    expect(checkPasswordPolicy('QWERTYUIOPASDFGH', context)).toEqual([
      'is one of the most commonly used passwords',
    ]);
    expect(checkPasswordPolicy('zzzzzzzzzzzzzzzz', context)).toEqual([
      'must not be a repeated or sequential run of characters',
    ]);
    expect(checkPasswordPolicy('xyzxyzxyzxyzxyz', context)).toEqual([
      'must not be a repeated or sequential run of characters',
    ]);
    expect(checkPasswordPolicy('lmnopqrstuvwxy', context)).toEqual([
      'must not be a repeated or sequential run of characters',
    ]);
  });

  it('lists every rule broken at once and never echoes the password', () => {
    const problems = checkPasswordPolicy('alice', context);
    expect(problems).toEqual(['must be at least 12 characters long', 'must not be the username']);
    const common = checkPasswordPolicy('123456', context);
    expect(common).toEqual([
      'must be at least 12 characters long',
      'is one of the most commonly used passwords',
    ]);
    expect(common.join(' ')).not.toContain('123456');
  });
});
