import { readFileSync } from 'node:fs';
import argon2 from 'argon2';

/**
 * argon2id with OWASP's minimum recommended parameters (Password Storage Cheat Sheet: 19 MiB, 2 passes,
 * 1 lane). About 25-30 ms per hash on one core; README and the bench quote this constant. Raising any of
 * them makes existing hashes `needsRehash`, and sign-in upgrades each one on the user's next success.
 */
export const ARGON2_PARAMS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

// NIST SP 800-63B §5.1.1.2: passwords are normalized (NFKC) before hashing so the same password typed on
// different keyboards/IMEs verifies, and lengths count code points, not UTF-16 units.
function normalize(password: string): string {
  return password.normalize('NFKC');
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(normalize(password), ARGON2_PARAMS);
}

/** False for a wrong password and for a hash that cannot be parsed: a broken row must not throw at sign-in. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, normalize(password));
  } catch {
    return false;
  }
}

/** True when `hash` was made with other parameters (or another algorithm) than ARGON2_PARAMS. */
export function needsRehash(hash: string): boolean {
  if (!hash.startsWith('$argon2id$')) return true;
  try {
    return argon2.needsRehash(hash, ARGON2_PARAMS);
  } catch {
    return true;
  }
}

const blocklist: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => normalize(line).toLowerCase()),
);

export function isCommonPassword(password: string): boolean {
  return blocklist.has(normalize(password).toLowerCase());
}

// "aaaaaaaaaaaa", "abababababab", "123412341234": one short unit repeated is no stronger than the unit.
function isRepetitive(password: string): boolean {
  return /^(.{1,3})\1+$/su.test(password);
}

// "abcdefghijklm", "123456789012", "987654321098": each code point one more (or less) than the last.
function isSequential(password: string): boolean {
  const points = [...password].map((char) => char.codePointAt(0)!);
  if (points.length < 2) return false;
  const step = points[1]! - points[0]!;
  if (step !== 1 && step !== -1) return false;
  return points.every((point, i) => i === 0 || point - points[i - 1]! === step);
}

export interface PasswordContext {
  username?: string;
  email?: string;
}

// Identifiers shorter than this would reject half the dictionary ("al" is in "always"); the 3 matches
// the platform's minimum username length.
const MIN_IDENTIFIER_CHECK = 3;

/**
 * Every rule the password breaks, as messages for the user; an empty list means it is acceptable.
 * NIST SP 800-63B: length 12..128, no composition rules, not a known-common password, not derived from the
 * account's own identifiers. Nothing here ever includes the password itself.
 */
export function checkPasswordPolicy(password: string, context: PasswordContext = {}): string[] {
  const normalized = normalize(password);
  const length = [...normalized].length;
  const lower = normalized.toLowerCase();
  const problems: string[] = [];

  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);

  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= MIN_IDENTIFIER_CHECK && lower.includes(username)) {
    problems.push(lower === username ? 'must not be the username' : 'must not contain the username');
  }
  const localPart = context.email?.trim().toLowerCase().split('@')[0];
  if (
    localPart &&
    localPart.length >= MIN_IDENTIFIER_CHECK &&
    localPart !== username &&
    lower.includes(localPart)
  ) {
    problems.push(
      lower === localPart
        ? 'must not be the part of the email address before the @'
        : 'must not contain the part of the email address before the @',
    );
  }

  if (blocklist.has(lower)) problems.push('is one of the most commonly used passwords');
  else if (length > 0 && (isRepetitive(normalized) || isSequential(normalized))) {
    problems.push('must not be a repeated or sequential run of characters');
  }
  return problems;
}
