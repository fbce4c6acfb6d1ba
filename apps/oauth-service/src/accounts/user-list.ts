import { type Kysely, type Selectable, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { ValidationError } from './errors.ts';
import type { UserStatus, UsersTable } from './tables.ts';

// The users list: keyset paging over lower(username), with an optional search and status filter.

export interface ListUsersOptions {
  /** Case-insensitive substring of username, email or display name. */
  search?: string;
  status?: UserStatus;
  /** 1..200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
const MAX_SEARCH_LENGTH = 254;

export const PUBLIC_COLUMNS = [
  'id',
  'username',
  'email',
  'display_name',
  'status',
  'must_change_password',
  'failed_login_count',
  'locked_until',
  'last_login_at',
  'email_verified',
  'invitation_pending',
  'created_at',
  'updated_at',
] as const;

type PublicRow = Omit<Selectable<UsersTable>, 'password_hash'>;

// Keyset cursor over lower(username), which is unique: base64url of the last key, opaque to callers so the
// order key can change. Any base64url text decodes to some key, so every cursor the schema admits is a
// valid position (past the end it is an empty page).
export const USER_CURSOR_PATTERN = '^[A-Za-z0-9_-]{0,1024}$';

function encodeCursor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

function decodeCursor(cursor: string): string {
  if (!new RegExp(USER_CURSOR_PATTERN).test(cursor)) {
    throw new ValidationError([{ field: 'cursor', message: 'is not a cursor returned by this list' }]);
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

function pageSize(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE)
    return limit;
  throw new ValidationError([{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
}

/** `%`, `_` and the escape character itself match literally in LIKE patterns built from user input. */
export function likeContains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The search term, lowercased and trimmed; undefined when there is nothing to search for. */
function searchTerm(search: unknown): string | undefined {
  if (search === undefined) return undefined;
  if (typeof search !== 'string' || search.length > MAX_SEARCH_LENGTH) {
    throw new ValidationError([
      { field: 'search', message: `must be a string of at most ${MAX_SEARCH_LENGTH} characters` },
    ]);
  }
  const term = search.trim().toLowerCase();
  return term === '' ? undefined : term;
}

/**
 * One page of users ordered by username, case-insensitively. `wantedStatus` validates the status filter
 * (it throws the repository's validation error).
 */
export async function listUserRows(
  db: Kysely<OAuthSchema>,
  options: ListUsersOptions,
  wantedStatus: (value: unknown) => UserStatus,
): Promise<{ rows: PublicRow[]; nextCursor: string | null }> {
  const limit = pageSize(options.limit);
  let query = db.selectFrom('users').select(PUBLIC_COLUMNS);
  const term = searchTerm(options.search);
  if (term !== undefined) {
    const pattern = likeContains(term);
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not; this agrees on both.
    query = query.where((eb) =>
      eb.or([
        sql<boolean>`lower(username) like ${pattern} escape '\\'`,
        sql<boolean>`email like ${pattern} escape '\\'`,
        sql<boolean>`lower(display_name) like ${pattern} escape '\\'`,
      ]),
    );
  }
  if (options.status !== undefined) query = query.where('status', '=', wantedStatus(options.status));
  if (options.cursor !== undefined) {
    query = query.where(sql<string>`lower(username)`, '>', decodeCursor(options.cursor));
  }
  const rows = await query
    .orderBy(sql`lower(username)`)
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.username.toLowerCase()) : null,
  };
}
