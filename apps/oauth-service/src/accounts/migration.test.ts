import type { Database } from '@platform/db';
import { sql } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountLinksMigration } from '../account-links/migration.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { accountsMigration } from './migration.ts';
import { openAccountsDatabase } from './test-support.ts';

const user = (id: string, username: string, email: string) => ({
  id,
  username,
  email,
  display_name: username,
  status: 'active' as const,
  password_hash: 'x',
  updated_at: 1,
});

describeEachDialect('accounts migration', (temp) => {
  let database: Database<OAuthSchema>;
  beforeAll(async () => {
    database = await openAccountsDatabase(temp().url);
  });
  afterAll(() => database.close());

  it('fills defaults: active, 0/1 flags, epoch-ms created_at', async () => {
    const before = Date.now();
    await database.db
      .insertInto('users')
      .values(user('u1', 'Alice', 'alice@example.com'))
      .execute();
    const row = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', 'u1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'active',
      must_change_password: 0,
      failed_login_count: 0,
      locked_until: null,
    });
    expect(typeof row.created_at).toBe('number');
    expect(row.created_at).toBeGreaterThanOrEqual(before - 1000);
  });

  it('makes usernames unique regardless of case, and emails unique', async () => {
    await expect(
      database.db
        .insertInto('users')
        .values(user('u2', 'ALICE', 'other@example.com'))
        .execute(),
    ).rejects.toThrow();
    await expect(
      database.db
        .insertInto('users')
        .values(user('u3', 'bob', 'alice@example.com'))
        .execute(),
    ).rejects.toThrow();
  });

  it('refuses statuses and flags the code does not know', async () => {
    await expect(
      database.db
        .insertInto('users')
        .values({ ...user('u4', 'carol', 'carol@example.com'), status: 'banned' as 'active' })
        .execute(),
    ).rejects.toThrow();
    await expect(
      database.db
        .insertInto('users')
        .values({ ...user('u5', 'dave', 'dave@example.com'), must_change_password: 2 })
        .execute(),
    ).rejects.toThrow();
  });

  it('cascades deletes through the join tables and refuses dangling references', async () => {
    const { db } = database;
    await db.insertInto('roles').values({ id: 'r1', name: 'admin', description: '' }).execute();
    await db.insertInto('permissions').values({ id: 'p1', name: 'admin:write', description: '' }).execute();
    await db.insertInto('role_permissions').values({ role_id: 'r1', permission_id: 'p1' }).execute();
    await db.insertInto('user_roles').values({ user_id: 'u1', role_id: 'r1' }).execute();
    await expect(
      db.insertInto('user_roles').values({ user_id: 'nobody', role_id: 'r1' }).execute(),
    ).rejects.toThrow();
    await expect(
      db.insertInto('user_roles').values({ user_id: 'u1', role_id: 'r1' }).execute(),
    ).rejects.toThrow();

    await db.deleteFrom('permissions').where('id', '=', 'p1').execute();
    expect(await db.selectFrom('role_permissions').selectAll().execute()).toEqual([]);
    await db.deleteFrom('users').where('id', '=', 'u1').execute();
    expect(await db.selectFrom('user_roles').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('roles').select('id').execute()).toEqual([{ id: 'r1' }]);
  });

  it('rolls back with down()', async () => {
    // Newest first: account_links references users.
    await accountLinksMigration.down!(database.db, database.dialect);
    await accountsMigration.down!(database.db, database.dialect);
    await expect(sql`select count(*) from users`.execute(database.db)).rejects.toThrow();
  });
});
