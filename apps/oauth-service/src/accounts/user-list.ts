import { type Kysely, type Selectable, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { ValidationError } from './errors.ts';
import type { UserStatus, UsersTable } from './tables.ts';

// The users list: keyset paging over the chosen sort key and the id (the tiebreaker), with an optional
// search and status filter.

/** Columns the list can be ordered by. */
export const USER_SORTS = ['username', 'email', 'created_at', 'last_login_at'] as const;
export type UserSort = (typeof USER_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface ListUsersOptions {
  /** Case-insensitive substring of username, email or display name. */
  search?: string;
  status?: UserStatus;
  /** 1..200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page (of the same sort and order). */
  cursor?: string;
  /** Default username. */
  sort?: UserSort;
  /** Default asc. */
  order?: SortOrder;
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

// Keyset cursor: base64url of the last row's sort key and id, opaque to callers so the order key can change.
// Any base64url text decodes to some position (past the end it is an empty page), so every cursor the
// schema admits is valid; a cursor of another sort is just another position.
export const USER_CURSOR_PATTERN = '^[A-Za-z0-9_-]{0,1024}$';

interface Position {
  key: string | number;
  id: string;
}

// The sort keys: text is compared case-insensitively; a missing last sign-in sorts as the oldest one, so
// both dialects (which place NULLs differently) agree.
const SORT_KEYS = {
  username: { expression: sql<string>`lower(username)`, numeric: false },
  email: { expression: sql<string>`lower(email)`, numeric: false },
  created_at: { expression: sql<number>`created_at`, numeric: true },
  last_login_at: { expression: sql<number>`coalesce(last_login_at, 0)`, numeric: true },
} as const;

function sortKeyOf(row: PublicRow, sort: UserSort): string | number {
  if (sort === 'username') return row.username.toLowerCase();
  if (sort === 'email') return row.email.toLowerCase();
  if (sort === 'created_at') return Number(row.created_at);
  return Number(row.last_login_at ?? 0);
}

function encodeCursor(position: Position): string {
  return Buffer.from(`${position.key}\n${position.id}`).toString('base64url');
}

function decodeCursor(cursor: string, numeric: boolean): Position {
  if (!new RegExp(USER_CURSOR_PATTERN).test(cursor)) {
    throw new ValidationError([{ field: 'cursor', message: 'is not a cursor returned by this list' }]);
  }
  // NUL cannot travel in a PostgreSQL text parameter; no key or id holds one.
  const text = Buffer.from(cursor, 'base64url').toString('utf8').replaceAll('\0', '');
  const split = text.lastIndexOf('\n');
  const key = split < 0 ? text : text.slice(0, split);
  const id = split < 0 ? '' : text.slice(split + 1);
  if (!numeric) return { key, id };
  const number = Number(key);
  return { key: Number.isSafeInteger(number) ? number : 0, id };
}

function wantedSort(sort: unknown): UserSort {
  if (sort === undefined) return 'username';
  if ((USER_SORTS as readonly unknown[]).includes(sort)) return sort as UserSort;
  throw new ValidationError([{ field: 'sort', message: `must be one of ${USER_SORTS.join(', ')}` }]);
}

function wantedOrder(order: unknown): SortOrder {
  if (order === undefined || order === 'asc' || order === 'desc') return order ?? 'asc';
  throw new ValidationError([{ field: 'order', message: 'must be asc or desc' }]);
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
 * One page of users in the chosen order, ties broken by id. `wantedStatus` validates the status filter
 * (it throws the repository's validation error).
 */
export async function listUserRows(
  db: Kysely<OAuthSchema>,
  options: ListUsersOptions,
  wantedStatus: (value: unknown) => UserStatus,
): Promise<{ rows: PublicRow[]; nextCursor: string | null }> {
  const limit = pageSize(options.limit);
  const sort = wantedSort(options.sort);
  const order = wantedOrder(options.order);
  const { expression, numeric } = SORT_KEYS[sort];
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
  // An empty cursor is the first page, in either order.
  if (options.cursor) {
    const after = decodeCursor(options.cursor, numeric);
    const beyond = order === 'asc' ? '>' : '<';
    query = query.where((eb) =>
      eb.or([
        eb(expression, beyond, after.key),
        eb.and([eb(expression, '=', after.key), eb('id', beyond, after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy(expression, order)
    .orderBy('id', order)
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor:
      rows.length > limit && last ? encodeCursor({ key: sortKeyOf(last, sort), id: last.id }) : null,
  };
}
