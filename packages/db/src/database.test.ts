import type { Generated } from 'kysely';
import { describe, expect, it } from 'vitest';
import { decimalColumn, jsonColumn, nowMs, timestampMs } from './columns.ts';
import { createDatabase, type Database } from './create-database.ts';
import { describeEachDialect } from './each-dialect.ts';
import { MigrationError, type Migrations, migrateToLatest } from './migrate.ts';

interface Schema {
  notes: { id: string; body: string; price: string; meta: string; created_at: Generated<number> };
}

const migrations: Migrations = {
  '0001_notes': {
    async up(db, dialect) {
      await db.schema
        .createTable('notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('price', decimalColumn(dialect), (c) => c.notNull())
        .addColumn('meta', jsonColumn(dialect), (c) => c.notNull())
        .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
        .execute();
    },
  },
};

describeEachDialect('database', (temp) => {
  let database: Database<Schema>;

  it('opens the dialect named by the URL and answers ping', async () => {
    database = createDatabase<Schema>(temp().url);
    expect(database.dialect).toBe(temp().dialect);
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('applies pending migrations once', async () => {
    expect(await migrateToLatest(database, migrations)).toEqual({ applied: ['0001_notes'] });
    expect(await migrateToLatest(database, migrations)).toEqual({ applied: [] });
  });

  it('returns the same JS types on both dialects', async () => {
    const before = Date.now();
    await database.db
      .insertInto('notes')
      .values({ id: 'a', body: 'hello', price: '12345678901234.123456789012345678', meta: '{"k":[1,2]}' })
      .execute();
    const row = await database.db.selectFrom('notes').selectAll().executeTakeFirstOrThrow();
    // Decimals keep every digit; epoch-ms timestamps are numbers; JSON comes back as text to parse.
    expect(Number(row.price.split('.')[0])).toBe(12345678901234);
    expect(row.price).toMatch(/^12345678901234\.1234567890123456780*$/);
    expect(typeof row.created_at).toBe('number');
    expect(row.created_at).toBeGreaterThanOrEqual(before - 1000);
    expect(row.created_at).toBeLessThanOrEqual(Date.now() + 1000);
    expect(JSON.parse(row.meta)).toEqual({ k: [1, 2] });
  });

  it('rolls back a failed transaction and keeps earlier data', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 'b', body: 'x', price: '1', meta: '{}' }).execute();
        await trx
          .insertInto('notes')
          .values({ id: 'a', body: 'duplicate', price: '1', meta: '{}' })
          .execute();
      }),
    ).rejects.toThrow();
    const ids = await database.db.selectFrom('notes').select('id').orderBy('id').execute();
    expect(ids.map((r) => r.id)).toEqual(['a']);
  });

  it('names the migration that failed', async () => {
    const broken: Migrations = {
      ...migrations,
      '0002_broken': {
        async up(db) {
          await db.schema.createTable('notes').addColumn('id', 'text').execute();
        },
      },
    };
    await expect(migrateToLatest(database, broken)).rejects.toThrow(MigrationError);
    await expect(migrateToLatest(database, broken)).rejects.toThrow(/0002_broken/);
  });

  it('closes idempotently, after which queries fail', async () => {
    await database.close();
    await database.close();
    await expect(database.ping()).rejects.toThrow();
  });
});

describe('createDatabase', () => {
  it('rejects URLs of unknown schemes before opening anything', () => {
    expect(() => createDatabase('mysql://localhost/x')).toThrow(/must start with file:/);
    expect(() => createDatabase('nonsense')).toThrow(/must start with file:/);
  });

  it('puts SQLite in WAL mode with synchronous=NORMAL', async () => {
    const { createTempDatabase } = await import('./temp-database.ts');
    const temp = await createTempDatabase('sqlite');
    const database = createDatabase(temp.url);
    const { sql } = await import('kysely');
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
    expect(mode.rows[0]?.journal_mode).toBe('wal');
    expect(sync.rows[0]?.synchronous).toBe(1);
    await database.close();
    await temp.drop();
  });
});

describeEachDialect('pendingMigrations', (temp) => {
  it('lists what is not applied yet, then nothing', async () => {
    const { pendingMigrations } = await import('./migrate.ts');
    const database = createDatabase(temp().url);
    expect(await pendingMigrations(database, migrations)).toEqual(['0001_notes']);
    await migrateToLatest(database, migrations);
    expect(await pendingMigrations(database, migrations)).toEqual([]);
    await database.close();
  });
});

describe('SQLite statement cache', () => {
  it('reuses statements across queries yet keeps results independent', async () => {
    const { createTempDatabase } = await import('./temp-database.ts');
    const temp = await createTempDatabase('sqlite');
    const database = createDatabase<Schema>(temp.url);
    await migrateToLatest(database, migrations);
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: `n${i}`,
      body: `b${i}`,
      price: String(i),
      meta: '{}',
    }));
    await database.db.insertInto('notes').values(rows).execute();
    // More distinct statements than the cache holds, so eviction runs too.
    for (let i = 0; i < 300; i += 1) {
      await database.db
        .selectFrom('notes')
        .select('id')
        .where('id', '=', `n${i}`)
        .limit(i + 1)
        .execute();
    }
    const one = await database.db
      .selectFrom('notes')
      .select('body')
      .where('id', '=', 'n7')
      .executeTakeFirst();
    const two = await database.db
      .selectFrom('notes')
      .select('body')
      .where('id', '=', 'n8')
      .executeTakeFirst();
    expect([one?.body, two?.body]).toEqual(['b7', 'b8']);
    await database.close();
    await temp.drop();
  });
});
