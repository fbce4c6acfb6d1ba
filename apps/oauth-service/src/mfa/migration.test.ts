import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { mfaMigration } from './migration.ts';

// The second-factor tables and policy flags: every flag off by default, each user's factors gone with the
// user, a recovery code stored once per user, and the migration reversible on both dialects.

describeEachDialect('mfa migration', (temp) => {
  let database: Database<OAuthSchema>;
  beforeAll(async () => {
    database = createDatabase<OAuthSchema>(temp().url);
    await migrateToLatest(database, migrations);
  });
  afterAll(() => database.close());

  const policy = () =>
    database.db.withTables<{
      roles: { mfa_required: number };
      clients: { require_mfa: number };
      users: { mfa_enrolment_required: number };
    }>();

  it('starts every policy flag off, and removes a user’s factors with the user', async () => {
    await database.db
      .insertInto('users')
      .values({
        id: 'u1',
        username: 'u1',
        email: 'u1@example.test',
        display_name: 'u1',
        status: 'active',
        password_hash: 'x',
        updated_at: 1,
      })
      .execute();
    await database.db.insertInto('roles').values({ id: 'r1', name: 'r1', description: '' }).execute();
    expect(
      await policy().selectFrom('users').select('mfa_enrolment_required').executeTakeFirstOrThrow(),
    ).toEqual({ mfa_enrolment_required: 0 });
    expect(
      await policy()
        .selectFrom('roles')
        .select('mfa_required')
        .where('id', '=', 'r1')
        .executeTakeFirstOrThrow(),
    ).toEqual({ mfa_required: 0 });

    await database.db
      .insertInto('mfa_totp')
      .values({ user_id: 'u1', secret: 'sealed', confirmed: 0, created_at: 1 })
      .execute();
    const code = { user_id: 'u1', code_hash: 'a'.repeat(64), created_at: 1 };
    await database.db.insertInto('mfa_recovery_codes').values(code).execute();
    await expect(database.db.insertInto('mfa_recovery_codes').values(code).execute()).rejects.toThrow();

    await database.db.deleteFrom('users').where('id', '=', 'u1').execute();
    expect(await database.db.selectFrom('mfa_totp').selectAll().execute()).toEqual([]);
    expect(await database.db.selectFrom('mfa_recovery_codes').selectAll().execute()).toEqual([]);
  });

  it('goes down and up again', async () => {
    await mfaMigration.down!(database.db, database.dialect);
    await expect(database.db.selectFrom('mfa_totp').selectAll().execute()).rejects.toThrow();
    await mfaMigration.up(database.db, database.dialect);
    expect(await database.db.selectFrom('mfa_totp').selectAll().execute()).toEqual([]);
  });
});
