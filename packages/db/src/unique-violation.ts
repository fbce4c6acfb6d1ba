// A unique-constraint violation is how both dialects report "that name (or key) is taken": the one error
// a repository turns into a 409 instead of letting it surface as a 500.

const POSTGRES_UNIQUE_VIOLATION = '23505';
// better-sqlite3's codes: a UNIQUE index, and a duplicate primary key (which is unique too).
const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

interface DriverError {
  code?: unknown;
  message?: unknown;
  constraint?: unknown;
}

/** True when `error` is a unique (or primary key) violation on SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as DriverError;
  return code === POSTGRES_UNIQUE_VIOLATION || (typeof code === 'string' && SQLITE_UNIQUE_CODES.has(code));
}

/**
 * The field a unique violation is about, or undefined when `error` is something else. Both dialects name
 * the index or constraint (SQLite in the message, PostgreSQL in `constraint`), and every unique index of
 * ours has its column in its name; the first field is the answer when none is named.
 */
export function uniqueViolationField<Field extends string>(
  error: unknown,
  fields: readonly [Field, ...Field[]],
): Field | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const { message, constraint } = error as DriverError;
  const where = `${typeof constraint === 'string' ? constraint : ''} ${typeof message === 'string' ? message : ''}`;
  return fields.find((field) => where.includes(field)) ?? fields[0];
}
