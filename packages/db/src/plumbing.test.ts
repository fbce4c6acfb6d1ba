import { StartupError } from '@platform/config';
import { expect, it } from 'vitest';
import { createDatabase, type Database } from './create-database.ts';
import { describeEachDialect } from './each-dialect.ts';
import { type Migrations, migrateToLatest } from './migrate.ts';
import { openMigratedDatabase } from './open-migrated.ts';
import { isUniqueViolation, uniqueViolationField } from './unique-violation.ts';

interface Schema {
  accounts: { id: number; login: string; email: string; note: string | null };
}

const first: Migrations = {
  '0001_accounts': {
    async up(db) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('accounts_login_unique').unique().on('accounts').column('login').execute();
      await db.schema.createIndex('accounts_email_unique').unique().on('accounts').column('email').execute();
    },
  },
};
const both: Migrations = {
  ...first,
  '0002_more': {
    async up(db) {
      await db.schema
        .createTable('more')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
  },
};

describeEachDialect('openMigratedDatabase and unique violations', (temp) => {
  let database: Database<Schema>;

  it('refuses a database with pending migrations, naming them', async () => {
    const empty = openMigratedDatabase<Schema>(temp().url, first);
    await expect(empty).rejects.toThrow(StartupError);
    await expect(openMigratedDatabase<Schema>(temp().url, first)).rejects.toThrow(
      'database is not migrated (pending: 0001_accounts); run pnpm db:push',
    );
    const migrator = createDatabase<Schema>(temp().url);
    await migrateToLatest(migrator, first);
    await migrator.close();
    await expect(openMigratedDatabase<Schema>(temp().url, both)).rejects.toThrow('(pending: 0002_more)');
  });

  it('opens a migrated database', async () => {
    database = await openMigratedDatabase<Schema>(temp().url, first);
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('tells a unique violation, and its field, from other errors', async () => {
    const insert = (id: number, login: string, email: string) =>
      database.db.insertInto('accounts').values({ id, login, email, note: null }).execute();
    await insert(1, 'ada', 'ada@example.test');
    const caught = async (run: Promise<unknown>) =>
      run.then(
        () => undefined,
        (error: unknown) => error,
      );

    const login = await caught(insert(2, 'ada', 'other@example.test'));
    expect(isUniqueViolation(login)).toBe(true);
    expect(uniqueViolationField(login, ['login', 'email'])).toBe('login');

    const email = await caught(insert(3, 'bob', 'ada@example.test'));
    expect(uniqueViolationField(email, ['login', 'email'])).toBe('email');

    const primaryKey = await caught(insert(1, 'carol', 'carol@example.test'));
    expect(isUniqueViolation(primaryKey)).toBe(true);

    const notNull = await caught(
      database.db
        .insertInto('accounts')
        .values({ id: 4, login: null as unknown as string, email: 'd@example.test', note: null })
        .execute(),
    );
    expect(notNull).toBeInstanceOf(Error);
    expect(isUniqueViolation(notNull)).toBe(false);
    expect(uniqueViolationField(notNull, ['login'])).toBeUndefined();
    expect(isUniqueViolation(new Error('UNIQUE constraint failed: accounts.login'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    await database.close();
  });
});
