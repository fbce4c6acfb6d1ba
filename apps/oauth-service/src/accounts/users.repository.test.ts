import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthSchema } from '../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { verifyPassword } from './passwords.ts';
import { openAccountsDatabase } from './test-support.ts';
import { createUsersRepository, likeContains, type UsersRepository } from './users.repository.ts';

const PASSWORD = 'violet-harbor-lantern-9';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describeEachDialect('users repository', (temp) => {
  let database: Database<OAuthSchema>;
  let users: UsersRepository;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    database = await openAccountsDatabase(temp().url);
    users = createUsersRepository(database.db, { now: () => clock });
  });
  afterAll(() => database.close());

  const hashOf = async (id: string) =>
    (
      await database.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).password_hash;

  it('creates a user with a hashed password and a lowercased email, returning no hash', async () => {
    const user = await users.create({ username: 'Alice', email: ' Alice@Example.COM ', password: PASSWORD });
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'Alice',
      email: 'alice@example.com',
      displayName: 'Alice',
      status: 'active',
      mustChangePassword: false,
      failedLoginCount: 0,
      lockedUntil: null,
      lastLoginAt: null,
      emailVerified: false,
      invitationPending: false,
      createdAt: clock,
      updatedAt: clock,
    });
    expect(JSON.stringify(user)).not.toContain('argon2');
    expect(await verifyPassword(await hashOf(user.id), PASSWORD)).toBe(true);
    expect(await users.get(user.id)).toEqual(user);
  });

  it('lists every invalid field at once', async () => {
    const error = await rejection(
      users.create({ username: 'a b', email: 'not-an-email', password: 'short', displayName: ' ' }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((issue) => issue.field).sort()).toEqual([
      'displayName',
      'email',
      'password',
      'username',
    ]);
    expect((error as ValidationError).status).toBe(400);
    expect(JSON.stringify(issues)).not.toContain('short');
  });

  it('enforces the password policy with the new user as context', async () => {
    const error = await rejection(
      users.create({ username: 'bobby', email: 'robert.tables@example.com', password: 'I am bobby, hi!' }),
    );
    expect((error as ValidationError).issues).toEqual([
      { field: 'password', message: 'must not contain the username' },
    ]);
    const common = await rejection(
      users.create({ username: 'bobby', email: 'b@example.com', password: 'password1234' }),
    );
    expect((common as ValidationError).issues).toEqual([
      { field: 'password', message: 'is one of the most commonly used passwords' },
    ]);
  });

  it('refuses runtime garbage from a JSON body', async () => {
    const error = await rejection(
      users.create({ username: 42, email: null, password: { length: 20 } } as unknown as Parameters<
        UsersRepository['create']
      >[0]),
    );
    expect((error as ValidationError).issues.map((issue) => issue.message)).toEqual([
      'must be a string',
      'must be a string',
      'must be a string',
    ]);
  });

  it('names the field of a duplicate, whatever its case', async () => {
    const username = await rejection(
      users.create({ username: 'ALICE', email: 'new@example.com', password: PASSWORD }),
    );
    expect(username).toBeInstanceOf(ConflictError);
    expect((username as ConflictError).field).toBe('username');
    expect((username as ConflictError).status).toBe(409);
    const email = await rejection(
      users.create({ username: 'alice2', email: 'ALICE@example.com', password: PASSWORD }),
    );
    expect((email as ConflictError).field).toBe('email');
    expect(await users.list()).toMatchObject({ items: [{ username: 'Alice' }] });
  });

  it('turns the unique index of a lost race into the same conflict error', async () => {
    // Both pass the pre-check (hashing runs between check and insert); the database decides.
    const race = await Promise.allSettled([
      users.create({ username: 'Racer', email: 'racer1@example.com', password: PASSWORD }),
      users.create({ username: 'racer', email: 'racer2@example.com', password: PASSWORD }),
    ]);
    const lost = race.filter((result) => result.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(((lost[0] as PromiseRejectedResult).reason as ConflictError).field).toBe('username');

    const emails = await Promise.allSettled([
      users.create({ username: 'racer3', email: 'same@example.com', password: PASSWORD }),
      users.create({ username: 'racer4', email: 'SAME@example.com', password: PASSWORD }),
    ]);
    const lostEmail = emails.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect((lostEmail.reason as ConflictError).field).toBe('email');

    for (const result of [...race, ...emails]) {
      if (result.status === 'fulfilled') await users.delete(result.value.id);
    }
  });

  it('finds by id, username or email case-insensitively, and nothing for unknowns', async () => {
    const alice = await users.findByUsername('alice');
    expect(alice?.username).toBe('Alice');
    expect((await users.findByEmail('ALICE@EXAMPLE.COM'))?.id).toBe(alice?.id);
    expect((await users.findByLogin('aLiCe'))?.id).toBe(alice?.id);
    expect((await users.findByLogin('Alice@Example.com'))?.id).toBe(alice?.id);
    expect(await users.findByLogin('nobody')).toBeUndefined();
    expect(await users.findByLogin('')).toBeUndefined();
    expect(await users.findById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    await expect(users.get('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages through every user exactly once, ordered by username', async () => {
    for (const name of ['erin', 'Carol', 'dave', 'bob', 'frank']) {
      await users.create({
        username: name,
        email: `${name}@corp.test`,
        password: PASSWORD,
        displayName: `${name} Q. Person`,
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await users.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((user) => user.username));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(['Alice', 'bob', 'Carol', 'dave', 'erin', 'frank']);
    expect(pages).toBe(3);
  });

  it('searches username, email and display name as case-insensitive substrings', async () => {
    const names = async (search: string) => (await users.list({ search })).items.map((user) => user.username);
    expect(await names('CAR')).toEqual(['Carol']);
    expect(await names('corp.TEST')).toEqual(['bob', 'Carol', 'dave', 'erin', 'frank']);
    expect(await names('q. person')).toEqual(['bob', 'Carol', 'dave', 'erin', 'frank']);
    expect(await names('example.com')).toEqual(['Alice']);
    expect(await names('zzz')).toEqual([]);
    expect(await names('  ')).toHaveLength(6);
    // LIKE wildcards in the search are literal characters.
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
    expect(likeContains('a%b_c\\')).toBe('%a\\%b\\_c\\\\%');
    const page = await users.list({ search: 'corp', limit: 3 });
    expect(page.items.map((user) => user.username)).toEqual(['bob', 'Carol', 'dave']);
    const rest = await users.list({ search: 'corp', limit: 3, cursor: page.nextCursor! });
    expect(rest).toMatchObject({ items: [{ username: 'erin' }, { username: 'frank' }], nextCursor: null });
  });

  it('refuses a bad cursor, limit, search or status', async () => {
    await expect(users.list({ cursor: 'not a cursor!' })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ cursor: 'x'.repeat(1025) })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ limit: 201 })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ limit: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ search: 'x'.repeat(255) })).rejects.toBeInstanceOf(ValidationError);
    await expect(users.list({ status: 'gone' as 'active' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('updates the profile, keeping uniqueness', async () => {
    const bob = (await users.findByUsername('bob'))!;
    clock += 1000;
    const updated = await users.updateProfile(bob.id, {
      displayName: '  Robert  ',
      email: 'Robert@Corp.test',
    });
    expect(updated).toMatchObject({ displayName: 'Robert', email: 'robert@corp.test', updatedAt: clock });
    expect(updated.createdAt).toBeLessThan(clock);
    // Its own values are not a conflict with itself.
    await expect(users.updateProfile(bob.id, { username: 'BOB' })).resolves.toMatchObject({
      username: 'BOB',
    });
    const clash = await rejection(users.updateProfile(bob.id, { username: 'carol' }));
    expect((clash as ConflictError).field).toBe('username');
    const emailClash = await rejection(users.updateProfile(bob.id, { email: 'alice@example.com' }));
    expect((emailClash as ConflictError).field).toBe('email');
    await expect(users.updateProfile(bob.id, { displayName: 'bad\nname' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(users.updateProfile(bob.id, { displayName: 'x'.repeat(201) })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(users.updateProfile('missing', { displayName: 'X' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sets a password under the policy, with the must-change flag, clearing any lock', async () => {
    const carol = (await users.findByUsername('carol'))!;
    await database.db
      .updateTable('users')
      .set({ failed_login_count: 5, locked_until: clock + 60_000 })
      .where('id', '=', carol.id)
      .execute();
    const weak = await rejection(users.setPassword(carol.id, 'carol-is-great'));
    expect((weak as ValidationError).issues).toEqual([
      { field: 'password', message: 'must not contain the username' },
    ]);

    await users.setPassword(carol.id, 'a brand new passphrase', { mustChangePassword: true });
    const after = await users.get(carol.id);
    expect(after).toMatchObject({ mustChangePassword: true, failedLoginCount: 0, lockedUntil: null });
    expect(await verifyPassword(await hashOf(carol.id), 'a brand new passphrase')).toBe(true);
    expect(await verifyPassword(await hashOf(carol.id), PASSWORD)).toBe(false);

    await users.setPassword(carol.id, 'another new passphrase');
    expect((await users.get(carol.id)).mustChangePassword).toBe(false);
    await expect(users.setPassword('missing', 'another new passphrase')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('disables and enables, and filters the list by status', async () => {
    const dave = (await users.findByUsername('dave'))!;
    expect((await users.disable(dave.id)).status).toBe('disabled');
    expect((await users.list({ status: 'disabled' })).items.map((user) => user.username)).toEqual(['dave']);
    expect((await users.enable(dave.id)).status).toBe('active');
    await expect(users.setStatus(dave.id, 'frozen' as 'active')).rejects.toBeInstanceOf(ValidationError);
    await expect(users.disable('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records a successful login', async () => {
    const erin = (await users.findByUsername('erin'))!;
    await database.db.updateTable('users').set({ failed_login_count: 2 }).where('id', '=', erin.id).execute();
    await users.recordLogin(erin.id, clock + 5);
    expect(await users.get(erin.id)).toMatchObject({ lastLoginAt: clock + 5, failedLoginCount: 0 });
  });

  it('deletes a user once', async () => {
    const frank = (await users.findByUsername('frank'))!;
    await users.delete(frank.id);
    expect(await users.findById(frank.id)).toBeUndefined();
    await expect(users.delete(frank.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('likeContains', () => {
  it('wraps in % and escapes wildcards', () => {
    expect(likeContains('abc')).toBe('%abc%');
  });
});
