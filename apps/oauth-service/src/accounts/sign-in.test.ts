import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import argon2 from 'argon2';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthSchema } from '../db/schema.ts';
import { ARGON2_PARAMS, needsRehash, verifyPassword } from './passwords.ts';
import { createSignIn, LOGIN_ATTEMPTS_METRIC, type SignInOptions } from './sign-in.ts';
import { openAccountsDatabase } from './test-support.ts';
import { createUsersRepository, type User, type UsersRepository } from './users.repository.ts';

const PASSWORD = 'violet-harbor-lantern-9';
const MINUTE = 60_000;

async function attemptsCount(registry: Registry, result: string, factor = 'password'): Promise<number> {
  const metric = registry.getSingleMetric(LOGIN_ATTEMPTS_METRIC);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.find((value) => value.labels.result === result && value.labels.factor === factor)?.value ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describeEachDialect('sign-in', (temp) => {
  let database: Database<OAuthSchema>;
  let users: UsersRepository;
  let alice: User;
  let clock = 1_700_000_000_000;
  let ipCounter = 0;
  // A fresh address per attempt, unless a test is about the address limit.
  const ip = () => `198.51.100.${(ipCounter++ % 250) + 1}`;

  const options = (overrides: Partial<SignInOptions> = {}): SignInOptions => ({
    db: database.db,
    metricsRegistry: new Registry(),
    maxFailures: 3,
    lockMinutes: 15,
    ipLimitPerMinute: 1000,
    now: () => clock,
    ...overrides,
  });
  const row = (id: string) =>
    database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    database = await openAccountsDatabase(temp().url);
    users = createUsersRepository(database.db);
    alice = await users.create({ username: 'Alice', email: 'alice@example.com', password: PASSWORD });
  });
  afterAll(() => database.close());

  it('signs in by username or email in any case, returning the user without secrets', async () => {
    const signIn = createSignIn(options());
    for (const login of ['alice', 'ALICE', 'Alice@Example.com']) {
      const result = await signIn.attempt({ login, password: PASSWORD, ip: ip() });
      expect(result).toEqual({ ok: true, user: { ...alice, lastLoginAt: clock } });
      expect(JSON.stringify(result)).not.toMatch(/argon2|violet/);
    }
    expect((await row(alice.id)).last_login_at).toBe(clock);
  });

  it('answers invalid_credentials alike for an unknown user and a wrong password', async () => {
    const signIn = createSignIn(options({ maxFailures: 100 }));
    const unknown = await signIn.attempt({ login: 'mallory', password: PASSWORD, ip: ip() });
    const wrong = await signIn.attempt({ login: 'alice', password: 'not the password', ip: ip() });
    expect(unknown).toEqual({ ok: false, reason: 'invalid_credentials' });
    // The same answer; only the audit learns which account a failure concerns.
    expect(wrong).toEqual({ ...unknown, account: { id: alice.id, username: 'Alice' } });
    expect((await row(alice.id)).failed_login_count).toBe(1);
    await signIn.attempt({ login: 'alice', password: PASSWORD, ip: ip() });
  });

  it('spends an argon2 verification on unknown users too', async () => {
    const signIn = createSignIn(options({ maxFailures: 100 }));
    await signIn.attempt({ login: 'warm-up', password: 'x', ip: ip() });
    const time = async (login: string) => {
      const started = performance.now();
      await signIn.attempt({ login, password: 'wrong password!', ip: ip() });
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      unknown.push(await time(`ghost${i}`));
      wrong.push(await time('alice'));
    }
    // Without the dummy verification the unknown path is a single indexed SELECT: 10-50x faster.
    // The bounds leave room for a busy CI machine.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.4);
    expect(median(unknown)).toBeLessThan(median(wrong) * 3);
    await users.recordLogin(alice.id);
  });

  it('locks after maxFailures consecutive failures, refusing even the right password until it expires', async () => {
    const registry = new Registry();
    const signIn = createSignIn(options({ metricsRegistry: registry }));
    const wrong = () => signIn.attempt({ login: 'alice', password: 'wrong password!', ip: ip() });

    expect(await wrong()).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    expect(await wrong()).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    // The third failure causes the lock and says so.
    expect(await wrong()).toMatchObject({ ok: false, reason: 'locked' });
    expect(await row(alice.id)).toMatchObject({ failed_login_count: 3, locked_until: clock + 15 * MINUTE });

    clock += 14 * MINUTE;
    expect(await signIn.attempt({ login: 'alice', password: PASSWORD, ip: ip() })).toEqual({
      ok: false,
      reason: 'locked',
      account: { id: alice.id, username: 'Alice' },
    });
    expect(await wrong()).toMatchObject({ ok: false, reason: 'locked' });
    // Attempts while locked neither count nor extend the lock.
    expect(await row(alice.id)).toMatchObject({ failed_login_count: 3, locked_until: clock + MINUTE });
    // The lock lives in the row: another instance (or a restarted one) sees it.
    const otherInstance = createSignIn(options());
    expect(await otherInstance.attempt({ login: 'alice', password: PASSWORD, ip: ip() })).toMatchObject({
      reason: 'locked',
    });

    clock += MINUTE;
    // Expired: the count starts afresh, so one failure does not re-lock.
    expect(await wrong()).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    expect(await row(alice.id)).toMatchObject({ failed_login_count: 1, locked_until: null });
    expect(await signIn.attempt({ login: 'alice', password: PASSWORD, ip: ip() })).toMatchObject({
      ok: true,
    });
    expect(await row(alice.id)).toMatchObject({ failed_login_count: 0, locked_until: null });

    expect(await attemptsCount(registry, 'invalid_credentials')).toBe(3);
    expect(await attemptsCount(registry, 'locked')).toBe(3);
    expect(await attemptsCount(registry, 'success')).toBe(1);
  });

  it('signs in right after a lock expires', async () => {
    const signIn = createSignIn(options({ maxFailures: 1, lockMinutes: 1 }));
    expect(await signIn.attempt({ login: 'alice', password: 'wrong password!', ip: ip() })).toMatchObject({
      reason: 'locked',
    });
    clock += MINUTE;
    expect(await signIn.attempt({ login: 'alice', password: PASSWORD, ip: ip() })).toMatchObject({
      ok: true,
    });
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    const signIn = createSignIn(options());
    const wrong = () => signIn.attempt({ login: 'alice', password: 'wrong password!', ip: ip() });
    await wrong();
    await wrong();
    expect(await signIn.attempt({ login: 'alice', password: PASSWORD, ip: ip() })).toMatchObject({
      ok: true,
    });
    expect(await wrong()).toMatchObject({ reason: 'invalid_credentials' });
    expect(await wrong()).toMatchObject({ reason: 'invalid_credentials' });
    await users.recordLogin(alice.id);
  });

  it('says disabled only after the right password', async () => {
    const bob = await users.create({ username: 'bob', email: 'bob@example.com', password: PASSWORD });
    await users.disable(bob.id);
    const registry = new Registry();
    const signIn = createSignIn(options({ metricsRegistry: registry }));
    expect(await signIn.attempt({ login: 'bob', password: 'wrong password!', ip: ip() })).toMatchObject({
      ok: false,
      reason: 'invalid_credentials',
    });
    expect(await signIn.attempt({ login: 'bob', password: PASSWORD, ip: ip() })).toEqual({
      ok: false,
      reason: 'disabled',
      account: { id: bob.id, username: 'bob' },
    });
    expect((await row(bob.id)).last_login_at).toBeNull();
    expect(await attemptsCount(registry, 'disabled')).toBe(1);
  });

  it('rate-limits per address before any password work, and recovers after a minute', async () => {
    const registry = new Registry();
    const signIn = createSignIn(
      options({ metricsRegistry: registry, ipLimitPerMinute: 2, maxFailures: 100 }),
    );
    const from = (address: string, password = 'wrong password!') =>
      signIn.attempt({ login: 'alice', password, ip: address });
    const before = (await row(alice.id)).failed_login_count;

    await from('203.0.113.9');
    await from('203.0.113.9');
    expect(await from('203.0.113.9', PASSWORD)).toEqual({ ok: false, reason: 'rate_limited' });
    expect(await from('::ffff:203.0.113.9', PASSWORD)).toEqual({ ok: false, reason: 'rate_limited' });
    // Refused attempts never reached the account.
    expect((await row(alice.id)).failed_login_count).toBe(before + 2);
    expect(await from('203.0.113.10', PASSWORD)).toMatchObject({ ok: true });

    clock += MINUTE + 1;
    expect(await from('203.0.113.9', PASSWORD)).toMatchObject({ ok: true });
    expect(await attemptsCount(registry, 'rate_limited')).toBe(2);
    expect(await attemptsCount(registry, 'success')).toBe(2);
  });

  it('refuses malformed input as invalid credentials', async () => {
    const signIn = createSignIn(options());
    const attempts = [
      { login: '', password: PASSWORD },
      { login: 'alice', password: '' },
      { login: 'alice', password: 'x'.repeat(1025) },
      { login: 'a'.repeat(255), password: PASSWORD },
      { login: 42, password: PASSWORD },
      { login: 'alice', password: null },
    ];
    for (const attempt of attempts) {
      expect(await signIn.attempt({ ...(attempt as { login: string; password: string }), ip: ip() })).toEqual(
        {
          ok: false,
          reason: 'invalid_credentials',
        },
      );
    }
    expect((await row(alice.id)).failed_login_count).toBe(0);
  });

  it('rehashes a password made with older parameters on the next success', async () => {
    const carol = await users.create({ username: 'carol', email: 'carol@example.com', password: PASSWORD });
    const old = await argon2.hash(PASSWORD, { ...ARGON2_PARAMS, memoryCost: 8192, timeCost: 1 });
    await database.db.updateTable('users').set({ password_hash: old }).where('id', '=', carol.id).execute();
    const signIn = createSignIn(options());
    expect(await signIn.attempt({ login: 'carol', password: PASSWORD, ip: ip() })).toMatchObject({
      ok: true,
    });
    const upgraded = (await row(carol.id)).password_hash;
    expect(upgraded).not.toBe(old);
    expect(needsRehash(upgraded)).toBe(false);
    expect(await verifyPassword(upgraded, PASSWORD)).toBe(true);
    // A current hash is left alone.
    expect(await signIn.attempt({ login: 'carol', password: PASSWORD, ip: ip() })).toMatchObject({
      ok: true,
    });
    expect((await row(carol.id)).password_hash).toBe(upgraded);
  });

  it('passes the must-change-password flag through', async () => {
    const dave = await users.create({
      username: 'dave',
      email: 'dave@example.com',
      password: PASSWORD,
      mustChangePassword: true,
    });
    const result = await createSignIn(options()).attempt({ login: 'dave', password: PASSWORD, ip: ip() });
    expect(result).toMatchObject({ ok: true, user: { id: dave.id, mustChangePassword: true } });
  });
});

describe('createSignIn metrics', () => {
  const fakeDb = {} as SignInOptions['db'];

  it('shares one counter between instances on a registry, with every result of every factor at 0 from the start', async () => {
    const registry = new Registry();
    const base = {
      db: fakeDb,
      metricsRegistry: registry,
      maxFailures: 5,
      lockMinutes: 15,
      ipLimitPerMinute: 1,
    };
    const first = createSignIn(base);
    const second = createSignIn(base);
    expect(registry.getMetricsAsArray().filter((m) => m.name === LOGIN_ATTEMPTS_METRIC)).toHaveLength(1);
    const exposition = await registry.getSingleMetricAsString(LOGIN_ATTEMPTS_METRIC);
    for (const factor of ['password', 'totp', 'recovery_code', 'passkey', 'upstream'])
      for (const result of ['success', 'invalid_credentials', 'locked', 'disabled', 'rate_limited'])
        expect(exposition).toContain(`${LOGIN_ATTEMPTS_METRIC}{result="${result}",factor="${factor}"} 0`);
    // Each instance limits on its own (in memory); the refusal comes before the (fake, unusable) database.
    const admitsOnceThenRefuses = async (signIn: typeof first) => {
      await expect(signIn.attempt({ login: 'x', password: 'y', ip: '192.0.2.1' })).rejects.toThrow();
      expect(await signIn.attempt({ login: 'x', password: 'y', ip: '192.0.2.1' })).toEqual({
        ok: false,
        reason: 'rate_limited',
      });
    };
    await admitsOnceThenRefuses(first);
    await admitsOnceThenRefuses(second);
    expect(await attemptsCount(registry, 'rate_limited')).toBe(2);
  });

  it('refuses nonsensical limits', () => {
    const base = {
      db: fakeDb,
      metricsRegistry: new Registry(),
      maxFailures: 5,
      lockMinutes: 15,
      ipLimitPerMinute: 5,
    };
    expect(() => createSignIn({ ...base, maxFailures: 0 })).toThrow(RangeError);
    expect(() => createSignIn({ ...base, lockMinutes: 0 })).toThrow(RangeError);
    expect(() => createSignIn({ ...base, ipLimitPerMinute: 0 })).toThrow(RangeError);
  });
});
