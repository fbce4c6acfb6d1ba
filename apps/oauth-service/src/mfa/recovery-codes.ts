import { createHmac, hkdfSync, randomInt } from 'node:crypto';

// Recovery codes: ten random single-use codes shown once. They carry 60 random bits each (12 characters of a
// 32-letter alphabet), so unlike passwords they cannot be guessed from a list and need no slow hash: a keyed
// HMAC-SHA256 (key derived from ENCRYPTION_KEY, the user id bound in) is enough to make a stolen table useless
// without the key, and lets a code be found with one indexed lookup. See docs/adr/0032.

export const RECOVERY_CODE_COUNT = 10;
// Without 0/o, 1/l/i: a code read off paper is typed back without guessing which one was meant.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 3;
const GROUP_LENGTH = 4;

/** A new recovery code, as shown to the user: `xxxx-xxxx-xxxx`. */
export function newRecoveryCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i += 1) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** What a typed code is compared as: lower case, without spaces or dashes. */
export const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]+/g, '');

/** Whether `code` has the shape of a recovery code (rather than a TOTP code). */
export const looksLikeRecoveryCode = (code: string) =>
  new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`).test(normaliseRecoveryCode(code));

export type RecoveryCodeHasher = (userId: string, code: string) => string;

export function createRecoveryCodeHasher(encryptionKey: string): RecoveryCodeHasher {
  const key = Buffer.from(hkdfSync('sha256', encryptionKey, 'oauth-platform', 'recovery-codes/v1', 32));
  return (userId, code) =>
    createHmac('sha256', key)
      .update(`${userId}:${normaliseRecoveryCode(code)}`)
      .digest('hex');
}
