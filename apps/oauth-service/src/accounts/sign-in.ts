import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { OAuthSchema } from '../db/schema.ts';
import { createIpRateLimiter } from './ip-rate-limiter.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { createUsersRepository, toUser, type User } from './users.repository.ts';

export type SignInFailure = 'invalid_credentials' | 'locked' | 'disabled' | 'rate_limited';
/**
 * A failure names the account it concerns when the login matched one (for the audit log, which must not store
 * the typed text: a password typed into the username box would become readable to admin:read).
 */
export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; reason: SignInFailure; account?: { id: string; username: string } };
export type SignInOutcome = 'success' | SignInFailure;

export interface SignInAttempt {
  /** Username or email address, as typed. */
  login: string;
  password: string;
  /** Client address (as resolved behind the gateway), for the per-IP rate limit. */
  ip: string;
  /**
   * False when a second factor follows: the right password then neither clears the failure count nor records
   * a sign-in, so wrong second-factor codes keep counting towards the lock (see `complete`). Default true.
   */
  complete?: boolean;
}

/** The factor an attempt checks, the `factor` label of oauth_login_attempts_total. */
/** `upstream`: a sign-in through an upstream identity provider (federation/). */
export type SignInFactor = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'upstream';

export interface SecondFactorAttempt {
  userId: string;
  ip: string;
  factor: SignInFactor;
  /** Checks the factor; runs only when the address and the account may still try. */
  verify(): Promise<boolean>;
}

/** The password's limits, shared by other sign-in factors (a passkey), so no factor is a way around them. */
export interface FactorLimits {
  /** Takes one attempt from the address's per-minute allowance; false when it is spent. */
  takeAddress(ip: string): boolean;
  /** Counts a failed attempt on the account; returns whether it is (now) locked. */
  recordFailure(userId: string): Promise<boolean>;
  /** A successful sign-in: the failure count starts afresh and the last sign-in time is set. */
  recordSuccess(userId: string): Promise<void>;
  /** Counts the attempt's outcome in oauth_login_attempts_total. */
  count(result: SignInOutcome, factor: SignInFactor): void;
}

export interface SignIn {
  attempt(input: SignInAttempt): Promise<SignInResult>;
  /**
   * A factor after the password: the same per-address limit and account lock as passwords, a failure
   * counts towards the lock, and success records the sign-in.
   */
  verifyFactor(input: SecondFactorAttempt): Promise<SignInResult>;
  /** Records a sign-in whose password step ran with `complete: false` and whose last factor passed. */
  complete(userId: string): Promise<void>;
  /** The same limits for a factor that finds its account itself (a passkey names its owner). */
  limits: FactorLimits;
}

export interface SignInOptions {
  db: Kysely<OAuthSchema>;
  metricsRegistry: Registry;
  /** Consecutive failures that lock the account. */
  maxFailures: number;
  lockMinutes: number;
  /** Attempts per client address per minute, per instance (see ip-rate-limiter.ts). */
  ipLimitPerMinute: number;
  now?: () => number;
}

export const LOGIN_ATTEMPTS_METRIC = 'oauth_login_attempts_total';
const OUTCOMES: readonly SignInOutcome[] = [
  'success',
  'invalid_credentials',
  'locked',
  'disabled',
  'rate_limited',
];

// Inputs past these cannot belong to any account (usernames ≤ 64, emails ≤ 254, passwords ≤ 128 by
// policy); they are refused like a wrong password, without hashing megabytes first.
const MAX_LOGIN_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 1024;

const FACTORS: readonly SignInFactor[] = ['password', 'totp', 'recovery_code', 'passkey', 'upstream'];

type AttemptsCounter = Counter<'factor' | 'result'>;

/** Get-or-create: several sign-in instances (tests, a restarted module) may share one registry. */
function attemptsCounter(registry: Registry): AttemptsCounter {
  const existing = registry.getSingleMetric(LOGIN_ATTEMPTS_METRIC);
  if (existing) return existing as AttemptsCounter;
  const counter = new Counter({
    name: LOGIN_ATTEMPTS_METRIC,
    help: 'Sign-in attempts by factor (password, totp, recovery_code, passkey, upstream) and result: success, invalid_credentials, locked, disabled or rate_limited.',
    labelNames: ['result', 'factor'] as const,
    registers: [registry],
  });
  // Every series exists from the start at 0, so rate() and alerts work before the first failure.
  for (const factor of FACTORS) for (const result of OUTCOMES) counter.inc({ result, factor }, 0);
  return counter;
}

// Verified when the login matches no user, so an unknown login costs one argon2 verification exactly like
// a wrong password does. A hash of random bytes nobody knows; made once per process, with today's params.
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomUUID());
  return dummyHash;
}

type Db = Kysely<OAuthSchema>;

const isWellFormed = (login: unknown, password: unknown): boolean =>
  typeof login === 'string' &&
  typeof password === 'string' &&
  login.trim() !== '' &&
  login.length <= MAX_LOGIN_LENGTH &&
  password !== '' &&
  password.length <= MAX_PASSWORD_LENGTH;

async function findRowByLogin(db: Db, login: string) {
  const query = db.selectFrom('users').selectAll();
  return (
    login.includes('@')
      ? query.where('email', '=', login.trim().toLowerCase())
      : query.where(sql<string>`lower(username)`, '=', login.trim().toLowerCase())
  ).executeTakeFirst();
}

/**
 * Counts one failure in the row itself, so the count and the lock hold across instances and restarts.
 * One atomic UPDATE: a lock that has expired starts the count afresh, and reaching maxFailures sets
 * locked_until. It only applies while the account is not locked, so concurrent failures cannot extend a
 * lock. Returns whether the account is (now) locked.
 */
async function recordFailure(
  db: Db,
  { maxFailures, lockMinutes }: Pick<SignInOptions, 'maxFailures' | 'lockMinutes'>,
  userId: string,
  at: number,
): Promise<boolean> {
  const lockedUntil = at + lockMinutes * 60_000;
  // Right-hand sides of SET see the old row, so the new count is spelled out for both columns.
  const expired = sql<boolean>`locked_until is not null and locked_until <= ${at}`;
  const count = sql<number>`(case when ${expired} then 0 else failed_login_count end) + 1`;
  const lock = sql<
    number | null
  >`case when ${count} >= ${maxFailures} then cast(${lockedUntil} as bigint) end`;
  const row = await db
    .updateTable('users')
    .set({ failed_login_count: count, locked_until: lock })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .returning('locked_until')
    .executeTakeFirst();
  // No row: another instance locked it between our read and this write.
  return row === undefined || row.locked_until !== null;
}

/** Guarded by the old hash so a password changed meanwhile is not overwritten with this one. */
async function rehash(db: Db, row: { id: string; password_hash: string }, password: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', row.id)
    .where('password_hash', '=', row.password_hash)
    .execute();
}

interface FactorContext extends Pick<SignInOptions, 'maxFailures' | 'lockMinutes'> {
  db: Db;
  users: ReturnType<typeof createUsersRepository>;
  limiter: ReturnType<typeof createIpRateLimiter>;
  now: () => number;
  finish(result: SignInResult, factor: SignInFactor): SignInResult;
}

/** A factor after the password: the same address limit, lock and failure count as a password. */
async function verifyFactor(
  { db, users, limiter, maxFailures, lockMinutes, now, finish }: FactorContext,
  { userId, ip, factor, verify }: SecondFactorAttempt,
): Promise<SignInResult> {
  if (!limiter.take(ip)) return finish({ ok: false, reason: 'rate_limited' }, factor);
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) return finish({ ok: false, reason: 'invalid_credentials' }, factor);
  const at = now();
  const account = { id: row.id, username: row.username };
  if (row.locked_until !== null && Number(row.locked_until) > at)
    return finish({ ok: false, reason: 'locked', account }, factor);
  if (row.status !== 'active') return finish({ ok: false, reason: 'disabled', account }, factor);
  if (!(await verify())) {
    const locked = await recordFailure(db, { maxFailures, lockMinutes }, row.id, at);
    return finish({ ok: false, reason: locked ? 'locked' : 'invalid_credentials', account }, factor);
  }
  await users.recordLogin(row.id, at);
  const { password_hash: _hash, ...rest } = row;
  const user = toUser({ ...rest, last_login_at: at, failed_login_count: 0, locked_until: null });
  return finish({ ok: true, user }, factor);
}

export function createSignIn(options: SignInOptions): SignIn {
  const { db, maxFailures, lockMinutes, ipLimitPerMinute } = options;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) {
    throw new RangeError('maxFailures must be a positive integer');
  }
  if (!(lockMinutes > 0)) throw new RangeError('lockMinutes must be positive');
  const attempts = attemptsCounter(options.metricsRegistry);
  const limiter = createIpRateLimiter({ limit: ipLimitPerMinute, windowMs: 60_000, now });
  const users = createUsersRepository(db, { now });
  // Start hashing now so the first unknown-user attempt is not slower than later ones.
  getDummyHash().catch(() => {});

  function finish(result: SignInResult, factor: SignInFactor = 'password'): SignInResult {
    attempts.inc({ result: result.ok ? 'success' : result.reason, factor });
    return result;
  }

  return {
    verifyFactor: (input) =>
      verifyFactor({ db, users, limiter, maxFailures, lockMinutes, now, finish }, input),
    complete: (userId) => users.recordLogin(userId, now()),
    limits: {
      takeAddress: (ip) => limiter.take(ip),
      recordFailure: (userId) => recordFailure(db, { maxFailures, lockMinutes }, userId, now()),
      recordSuccess: (userId) => users.recordLogin(userId, now()),
      count: (result, factor) => {
        attempts.inc({ result, factor });
      },
    },
    async attempt({ login, password, ip, complete = true }) {
      // Before any database or password work: a flood from one address costs us almost nothing.
      if (!limiter.take(ip)) return finish({ ok: false, reason: 'rate_limited' });

      const wellFormed = isWellFormed(login, password);
      const row = wellFormed ? await findRowByLogin(db, login) : undefined;
      if (!row) {
        // Unknown user: the same reason and about the same time as a wrong password.
        await verifyPassword(await getDummyHash(), wellFormed ? password : '');
        return finish({ ok: false, reason: 'invalid_credentials' });
      }

      const at = now();
      const account = { id: row.id, username: row.username };
      // An invitation not yet accepted: no password of the holder's exists, so none is checked.
      if (Number(row.invitation_pending) === 1) {
        await verifyPassword(await getDummyHash(), password);
        return finish({ ok: false, reason: 'invalid_credentials', account });
      }
      // Locked: refused whatever the password, and without checking it, so a lock also stops guessing.
      // (Only existing accounts can lock, so maxFailures wrong guesses do reveal that a login exists; the
      // platform accepts that for a lock users can understand. The IP limit bounds how fast anyone probes.)
      if (row.locked_until !== null && Number(row.locked_until) > at) {
        return finish({ ok: false, reason: 'locked', account });
      }

      if (!(await verifyPassword(row.password_hash, password))) {
        const locked = await recordFailure(db, { maxFailures, lockMinutes }, row.id, at);
        return finish({ ok: false, reason: locked ? 'locked' : 'invalid_credentials', account });
      }

      // Only after the right password, so probing with wrong ones cannot tell a disabled account from
      // an active one (both answer invalid_credentials and count towards the lock).
      if (row.status !== 'active') return finish({ ok: false, reason: 'disabled', account });

      if (needsRehash(row.password_hash)) await rehash(db, row, password);
      const { password_hash: _hash, ...rest } = row;
      if (!complete) return finish({ ok: true, user: toUser(rest) });
      await users.recordLogin(row.id, at);
      return finish({
        ok: true,
        user: toUser({ ...rest, last_login_at: at, failed_login_count: 0, locked_until: null }),
      });
    },
  };
}
