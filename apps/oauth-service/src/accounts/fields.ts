import { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.ts';

// Field rules shared by the users and roles repositories. Inputs arrive from JSON bodies, so every check
// also guards the runtime type. Each returns the cleaned value or records an issue; callers throw one
// ValidationError listing every issue at once.

export class Issues {
  readonly list: FieldIssue[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

// C0/C1 controls and line/paragraph separators would let a display name forge lines in logs or UIs.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
const emailSchema = z.email();
// A role name and a permission name are single tokens; permission names are OAuth scope tokens
// (RFC 6749 §3.3 allows %x21 / %x23-5B / %x5D-7E), which role names reuse for simplicity.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function isString(issues: Issues, field: string, value: unknown): value is string {
  if (typeof value === 'string') return true;
  issues.add(field, 'must be a string');
  return false;
}

export function username(issues: Issues, value: unknown): string {
  if (!isString(issues, 'username', value)) return '';
  const trimmed = value.trim();
  if (!USERNAME.test(trimmed)) {
    issues.add(
      'username',
      'must be 3 to 64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return trimmed;
}

/** Trimmed and lowercased: addresses are stored and compared lowercased. */
export function email(issues: Issues, value: unknown): string {
  if (!isString(issues, 'email', value)) return '';
  const cleaned = value.trim().toLowerCase();
  if (cleaned.length > 254 || !emailSchema.safeParse(cleaned).success) {
    issues.add('email', 'must be a valid email address of at most 254 characters');
  }
  return cleaned;
}

export function text(
  issues: Issues,
  field: string,
  value: unknown,
  { min, max }: { min: number; max: number },
): string {
  if (!isString(issues, field, value)) return '';
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length < min || length > max) {
    issues.add(
      field,
      min > 0 ? `must be ${min} to ${max} characters long` : `must be at most ${max} characters long`,
    );
  } else if (CONTROL.test(trimmed)) {
    issues.add(field, 'must not contain control characters');
  }
  return trimmed;
}

export function token(issues: Issues, field: string, value: unknown, max: number): string {
  if (!isString(issues, field, value)) return '';
  if (value.length === 0 || value.length > max || !SCOPE_TOKEN.test(value)) {
    issues.add(field, `must be 1 to ${max} printable ASCII characters without spaces, quotes or backslashes`);
  }
  return value;
}

export function boolean(issues: Issues, field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  issues.add(field, 'must be true or false');
  return false;
}
