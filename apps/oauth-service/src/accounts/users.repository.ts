import { randomBytes, randomUUID } from 'node:crypto';
import { uniqueViolationField } from '@platform/db';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import * as fields from './fields.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import type { UserStatus, UsersTable } from './tables.ts';
import { type ListUsersOptions, listUserRows, type Page, PUBLIC_COLUMNS } from './user-list.ts';

export {
  DEFAULT_PAGE_SIZE,
  type ListUsersOptions,
  likeContains,
  MAX_PAGE_SIZE,
  type Page,
  type SortOrder,
  USER_CURSOR_PATTERN,
  USER_SORTS,
  type UserSort,
} from './user-list.ts';

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
  /** The holder followed a link mailed to `email`. */
  emailVerified: boolean;
  /** Invited and without a password of their own yet: password sign-in is refused. */
  invitationPending: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface CreateUserInput {
  username: string;
  email: string;
  /** Defaults to the username. */
  displayName?: string;
  /** Required unless `invited`: an invited user sets their own through the mailed link. */
  password?: string;
  /** No password: the account waits for its holder to follow an invitation link. */
  invited?: boolean;
  mustChangePassword?: boolean;
  status?: UserStatus;
}

export interface UpdateProfileInput {
  username?: string;
  email?: string;
  displayName?: string;
}

type UserRow = Selectable<UsersTable>;
type Db = Kysely<OAuthSchema>;

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
    emailVerified: Number(row.email_verified) === 1,
    invitationPending: Number(row.invitation_pending) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function status(issues: fields.Issues, value: unknown): UserStatus {
  if (value === 'active' || value === 'disabled') return value;
  issues.add('status', 'must be "active" or "disabled"');
  return 'active';
}

/** Only logins with an `@` are email addresses: usernames cannot contain one. */
function isEmailLogin(login: string): boolean {
  return login.includes('@');
}

/** One status value, validated: an unknown one is an issue. */
function wantedStatus(value: unknown): UserStatus {
  const issues = new fields.Issues();
  const wanted = status(issues, value);
  issues.throwIfAny();
  return wanted;
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

// The pre-checks give a clean error; two concurrent writers can still both pass them, and then the
// unique indexes decide and we translate their error into the same ConflictError.
function rethrowConflict(error: unknown): never {
  const field = uniqueViolationField(error, ['username', 'email']);
  if (field) throw new ConflictError('user', field);
  throw error;
}

const selectUsers = (db: Db) => db.selectFrom('users').select(PUBLIC_COLUMNS);

async function findByUsername(db: Db, username: string): Promise<User | undefined> {
  if (typeof username !== 'string' || username === '') return undefined;
  const row = await selectUsers(db)
    .where(sql<string>`lower(username)`, '=', username.trim().toLowerCase())
    .executeTakeFirst();
  return row && toUser(row);
}

async function findByEmail(db: Db, email: string): Promise<User | undefined> {
  if (typeof email !== 'string' || email === '') return undefined;
  const row = await selectUsers(db).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return row && toUser(row);
}

async function findById(db: Db, id: string): Promise<User | undefined> {
  if (typeof id !== 'string') return undefined;
  const row = await selectUsers(db).where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

async function getUser(db: Db, id: string): Promise<User> {
  const user = await findById(db, id);
  if (!user) throw new NotFoundError('user', id);
  return user;
}

/** Throws a ConflictError when `username` or `email` belongs to a user other than `exceptId`. */
async function assertUnique(db: Db, values: { username?: string; email?: string }, exceptId?: string) {
  if (values.username !== undefined) {
    const other = await findByUsername(db, values.username);
    if (other && other.id !== exceptId) throw new ConflictError('user', 'username');
  }
  if (values.email !== undefined) {
    const other = await findByEmail(db, values.email);
    if (other && other.id !== exceptId) throw new ConflictError('user', 'email');
  }
}

interface Context {
  db: Db;
  now: () => number;
}

async function setStatus({ db, now }: Context, id: string, value: UserStatus): Promise<User> {
  const wanted = wantedStatus(value);
  const result = await db
    .updateTable('users')
    .set({ status: wanted, updated_at: now() })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new NotFoundError('user', id);
  return getUser(db, id);
}

/** The new user's fields, every rule checked (all broken rules reported at once). */
function validNewUser(input: CreateUserInput) {
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
  const invited = input.invited === undefined ? false : fields.boolean(issues, 'invited', input.invited);
  if (invited && input.password !== undefined) issues.add('password', 'must be absent for an invitation');
  else if (!invited) passwordIssues(issues, input.password, { username, email });
  issues.throwIfAny();
  return { username, email, displayName, mustChange, userStatus, invited };
}

async function createUser({ db, now }: Context, input: CreateUserInput): Promise<User> {
  const { username, email, displayName, mustChange, userStatus, invited } = validNewUser(input);
  await assertUnique(db, { username, email });
  const at = now();
  // An invited account's hash is of random bytes nobody holds, and invitation_pending refuses sign-in anyway.
  const password = invited ? randomBytes(32).toString('base64url') : String(input.password);
  const row = {
    id: randomUUID(),
    username,
    email,
    display_name: displayName,
    status: userStatus,
    password_hash: await hashPassword(password),
    must_change_password: mustChange ? 1 : 0,
    failed_login_count: 0,
    locked_until: null,
    last_login_at: null,
    email_verified: 0,
    invitation_pending: invited ? 1 : 0,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('users').values(row).execute().catch(rethrowConflict);
  const { password_hash: _hash, ...rest } = row;
  return toUser(rest);
}

async function updateProfile({ db, now }: Context, id: string, input: UpdateProfileInput): Promise<User> {
  const issues = new fields.Issues();
  const changes: { username?: string; email?: string; display_name?: string; email_verified?: number } = {};
  if (input.username !== undefined) changes.username = fields.username(issues, input.username);
  if (input.email !== undefined) changes.email = fields.email(issues, input.email);
  if (input.displayName !== undefined) {
    changes.display_name = fields.text(issues, 'displayName', input.displayName, { min: 1, max: 200 });
  }
  issues.throwIfAny();
  const before = await getUser(db, id);
  await assertUnique(db, { username: changes.username, email: changes.email }, id);
  // A new address is unproven until its holder follows a link sent to it.
  if (changes.email !== undefined && changes.email !== before.email) changes.email_verified = 0;
  await db
    .updateTable('users')
    .set({ ...changes, updated_at: now() })
    .where('id', '=', id)
    .execute()
    .catch(rethrowConflict);
  return getUser(db, id);
}

/**
 * Sets a new password (self-service change or reset, admin reset, accepted invitation), checked against the
 * policy and the user's own identifiers. Clears any lock and failure count, and a pending invitation:
 * whoever may set the password may also sign in.
 */
async function setPassword(
  { db, now }: Context,
  id: string,
  password: string,
  options: { mustChangePassword?: boolean } = {},
): Promise<void> {
  const user = await getUser(db, id);
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
      invitation_pending: 0,
      updated_at: now(),
    })
    .where('id', '=', id)
    .execute();
}

/** The holder proved the address by following a link mailed to it. */
async function markEmailVerified({ db, now }: Context, id: string): Promise<void> {
  await db.updateTable('users').set({ email_verified: 1, updated_at: now() }).where('id', '=', id).execute();
}

/** Deletes the user; their role assignments go with them (FK cascade). */
async function deleteUser(db: Db, id: string): Promise<void> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new NotFoundError('user', id);
}

/** A successful sign-in: stamps last_login_at and clears failures and any expired lock. */
async function recordLogin(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ last_login_at: at, failed_login_count: 0, locked_until: null })
    .where('id', '=', id)
    .execute();
}

export interface UsersRepositoryOptions {
  /** Clock for created/updated/last-login times (tests inject one). */
  now?: () => number;
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;

export function createUsersRepository(db: Db, options: UsersRepositoryOptions = {}) {
  const context: Context = { db, now: options.now ?? Date.now };
  return {
    get: (id: string) => getUser(db, id),
    findById: (id: string) => findById(db, id),
    findByUsername: (username: string) => findByUsername(db, username),
    findByEmail: (email: string) => findByEmail(db, email),
    /** By username or email address, case-insensitively: what a user types into the sign-in form. */
    async findByLogin(login: string): Promise<User | undefined> {
      if (typeof login !== 'string') return undefined;
      return isEmailLogin(login) ? findByEmail(db, login) : findByUsername(db, login);
    },
    create: (input: CreateUserInput) => createUser(context, input),
    /** Ordered by username (default), email, creation or last sign-in; keyset paging with the id as tiebreaker. */
    async list(options: ListUsersOptions = {}): Promise<Page<User>> {
      const { rows, nextCursor } = await listUserRows(db, options, wantedStatus);
      return { items: rows.map(toUser), nextCursor };
    },
    updateProfile: (id: string, input: UpdateProfileInput) => updateProfile(context, id, input),
    setPassword: (id: string, password: string, options?: { mustChangePassword?: boolean }) =>
      setPassword(context, id, password, options),
    setStatus: (id: string, value: UserStatus) => setStatus(context, id, value),
    enable: (id: string): Promise<User> => setStatus(context, id, 'active'),
    /** Disabled users cannot sign in and hold no permissions; their data stays. */
    disable: (id: string): Promise<User> => setStatus(context, id, 'disabled'),
    delete: (id: string) => deleteUser(db, id),
    recordLogin: (id: string, at: number = context.now()) => recordLogin(db, id, at),
    markEmailVerified: (id: string) => markEmailVerified(context, id),
  };
}
