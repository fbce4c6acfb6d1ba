import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { ConflictError, NotFoundError, uniqueViolationField, ValidationError } from './errors.ts';
import * as fields from './fields.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import type { UserStatus, UsersTable } from './tables.ts';

/** A user as the rest of the service sees it: never the password hash. */
export interface User {
  id: string;
  username: string;
  email: string;
  displayName: string;
  status: UserStatus;
  mustChangePassword: boolean;
  failedLoginCount: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface CreateUserInput {
  username: string;
  email: string;
  /** Defaults to the username. */
  displayName?: string;
  password: string;
  mustChangePassword?: boolean;
  status?: UserStatus;
}

export interface UpdateProfileInput {
  username?: string;
  email?: string;
  displayName?: string;
}

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

type UserRow = Selectable<UsersTable>;
type Db = Kysely<OAuthSchema>;

const PUBLIC_COLUMNS = [
  'id',
  'username',
  'email',
  'display_name',
  'status',
  'must_change_password',
  'failed_login_count',
  'locked_until',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

export function toUser(row: Omit<UserRow, 'password_hash'>): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    mustChangePassword: Number(row.must_change_password) === 1,
    failedLoginCount: Number(row.failed_login_count),
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

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

function status(issues: fields.Issues, value: unknown): UserStatus {
  if (value === 'active' || value === 'disabled') return value;
  issues.add('status', 'must be "active" or "disabled"');
  return 'active';
}

/** `%`, `_` and the escape character itself match literally in LIKE patterns built from user input. */
export function likeContains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Only logins with an `@` are email addresses: usernames cannot contain one. */
function isEmailLogin(login: string): boolean {
  return login.includes('@');
}

export interface UsersRepositoryOptions {
  /** Clock for created/updated/last-login times (tests inject one). */
  now?: () => number;
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;

export function createUsersRepository(db: Db, options: UsersRepositoryOptions = {}) {
  const now = options.now ?? Date.now;

  const selectUsers = () => db.selectFrom('users').select(PUBLIC_COLUMNS);

  async function findByUsername(username: string): Promise<User | undefined> {
    if (typeof username !== 'string' || username === '') return undefined;
    const row = await selectUsers()
      .where(sql<string>`lower(username)`, '=', username.trim().toLowerCase())
      .executeTakeFirst();
    return row && toUser(row);
  }

  async function findByEmail(email: string): Promise<User | undefined> {
    if (typeof email !== 'string' || email === '') return undefined;
    const row = await selectUsers().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row && toUser(row);
  }

  async function findById(id: string): Promise<User | undefined> {
    if (typeof id !== 'string') return undefined;
    const row = await selectUsers().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async function get(id: string): Promise<User> {
    const user = await findById(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  async function setStatus(id: string, value: UserStatus): Promise<User> {
    const issues = new fields.Issues();
    const wanted = status(issues, value);
    issues.throwIfAny();
    const result = await db
      .updateTable('users')
      .set({ status: wanted, updated_at: now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new NotFoundError('user', id);
    return get(id);
  }

  /** Throws a ConflictError when `username` or `email` belongs to a user other than `exceptId`. */
  async function assertUnique(
    values: { username?: string; email?: string },
    exceptId?: string,
  ): Promise<void> {
    if (values.username !== undefined) {
      const other = await findByUsername(values.username);
      if (other && other.id !== exceptId) throw new ConflictError('user', 'username');
    }
    if (values.email !== undefined) {
      const other = await findByEmail(values.email);
      if (other && other.id !== exceptId) throw new ConflictError('user', 'email');
    }
  }

  // The pre-checks give a clean error; two concurrent writers can still both pass them, and then the
  // unique indexes decide and we translate their error into the same ConflictError.
  function rethrowConflict(error: unknown): never {
    const field = uniqueViolationField(error, ['username', 'email']);
    if (field) throw new ConflictError('user', field);
    throw error;
  }

  function passwordIssues(
    issues: fields.Issues,
    password: unknown,
    context: { username: string; email: string },
  ) {
    if (typeof password !== 'string') {
      issues.add('password', 'must be a string');
      return;
    }
    for (const message of checkPasswordPolicy(password, context)) issues.add('password', message);
  }

  return {
    get,
    findById,
    findByUsername,
    findByEmail,

    /** By username or email address, case-insensitively: what a user types into the sign-in form. */
    async findByLogin(login: string): Promise<User | undefined> {
      if (typeof login !== 'string') return undefined;
      return isEmailLogin(login) ? findByEmail(login) : findByUsername(login);
    },

    async create(input: CreateUserInput): Promise<User> {
      const issues = new fields.Issues();
      const username = fields.username(issues, input.username);
      const email = fields.email(issues, input.email);
      const displayName =
        input.displayName === undefined
          ? username
          : fields.text(issues, 'displayName', input.displayName, { min: 1, max: 200 });
      const mustChange =
        input.mustChangePassword === undefined
          ? false
          : fields.boolean(issues, 'mustChangePassword', input.mustChangePassword);
      const userStatus = input.status === undefined ? 'active' : status(issues, input.status);
      passwordIssues(issues, input.password, { username, email });
      issues.throwIfAny();
      await assertUnique({ username, email });

      const at = now();
      const row = {
        id: randomUUID(),
        username,
        email,
        display_name: displayName,
        status: userStatus,
        password_hash: await hashPassword(input.password),
        must_change_password: mustChange ? 1 : 0,
        failed_login_count: 0,
        locked_until: null,
        last_login_at: null,
        created_at: at,
        updated_at: at,
      };
      await db.insertInto('users').values(row).execute().catch(rethrowConflict);
      const { password_hash: _hash, ...rest } = row;
      return toUser(rest);
    },

    /** Ordered by username, case-insensitively (keyset paging on lower(username), which is unique). */
    async list(options: ListUsersOptions = {}): Promise<Page<User>> {
      const limit = pageSize(options.limit);
      let query = selectUsers();
      if (options.search !== undefined) {
        if (typeof options.search !== 'string' || options.search.length > MAX_SEARCH_LENGTH) {
          throw new ValidationError([
            { field: 'search', message: `must be a string of at most ${MAX_SEARCH_LENGTH} characters` },
          ]);
        }
        const term = options.search.trim().toLowerCase();
        if (term !== '') {
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
      }
      if (options.status !== undefined) {
        const issues = new fields.Issues();
        const wanted = status(issues, options.status);
        issues.throwIfAny();
        query = query.where('status', '=', wanted);
      }
      if (options.cursor !== undefined) {
        query = query.where(sql<string>`lower(username)`, '>', decodeCursor(options.cursor));
      }
      const rows = await query
        .orderBy(sql`lower(username)`)
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toUser);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(last.username.toLowerCase()) : null,
      };
    },

    async updateProfile(id: string, input: UpdateProfileInput): Promise<User> {
      const issues = new fields.Issues();
      const changes: { username?: string; email?: string; display_name?: string } = {};
      if (input.username !== undefined) changes.username = fields.username(issues, input.username);
      if (input.email !== undefined) changes.email = fields.email(issues, input.email);
      if (input.displayName !== undefined) {
        changes.display_name = fields.text(issues, 'displayName', input.displayName, { min: 1, max: 200 });
      }
      issues.throwIfAny();
      await get(id);
      await assertUnique({ username: changes.username, email: changes.email }, id);
      await db
        .updateTable('users')
        .set({ ...changes, updated_at: now() })
        .where('id', '=', id)
        .execute()
        .catch(rethrowConflict);
      return get(id);
    },

    /**
     * Sets a new password (self-service change or admin reset), checked against the policy and the user's
     * own identifiers. Clears any lock and failure count: whoever may set the password may also sign in.
     */
    async setPassword(
      id: string,
      password: string,
      options: { mustChangePassword?: boolean } = {},
    ): Promise<void> {
      const user = await get(id);
      const issues = new fields.Issues();
      const mustChange =
        options.mustChangePassword === undefined
          ? false
          : fields.boolean(issues, 'mustChangePassword', options.mustChangePassword);
      passwordIssues(issues, password, { username: user.username, email: user.email });
      issues.throwIfAny();
      await db
        .updateTable('users')
        .set({
          password_hash: await hashPassword(password),
          must_change_password: mustChange ? 1 : 0,
          failed_login_count: 0,
          locked_until: null,
          updated_at: now(),
        })
        .where('id', '=', id)
        .execute();
    },

    setStatus,

    enable(id: string): Promise<User> {
      return setStatus(id, 'active');
    },

    /** Disabled users cannot sign in and hold no permissions; their data stays. */
    disable(id: string): Promise<User> {
      return setStatus(id, 'disabled');
    },

    /** Deletes the user; their role assignments go with them (FK cascade). */
    async delete(id: string): Promise<void> {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new NotFoundError('user', id);
    },

    /** A successful sign-in: stamps last_login_at and clears failures and any expired lock. */
    async recordLogin(id: string, at: number = now()): Promise<void> {
      await db
        .updateTable('users')
        .set({ last_login_at: at, failed_login_count: 0, locked_until: null })
        .where('id', '=', id)
        .execute();
    },
  };
}
