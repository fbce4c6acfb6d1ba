import { createDatabase, type Migrations, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { BulkInsert } from './bulk-insert.ts';

interface Schema {
  pairs: { k: number; a: string; b: number };
}

const migrations: Migrations = {
  '0001_pairs': {
    async up(db) {
      await db.schema
        .createTable('pairs')
        .addColumn('k', 'integer', (c) => c.primaryKey())
        .addColumn('a', 'text', (c) => c.notNull())
        .addColumn('b', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};

describeEachDialect('BulkInsert', (temp) => {
  it('reuses one compiled statement per chunk size with the rows flattened in column order', async () => {
    const database = createDatabase<Schema>(temp().url);
    await migrateToLatest(database, migrations);
    let builds = 0;
    const insert = new BulkInsert<Schema, Schema['pairs'], { k: number }>({
      columns: ['k', 'a', 'b'],
      chunkSize: 3,
      build: (db, rows) => {
        builds += 1;
        return db
          .insertInto('pairs')
          .values(rows)
          .onConflict((oc) => oc.column('k').doNothing())
          .returning('k');
      },
    });
    const rows = Array.from({ length: 8 }, (_, i) => ({ k: i, a: `a${i}`, b: i * 10 }));
    // 3 + 3 + 2 rows: the full chunks share one compiled statement, the rest is compiled on its own.
    const inserted = await insert.execute(database.db, rows);
    expect(inserted.map((r) => r.k).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(builds).toBe(2);
    // Inside a transaction, and with conflicts: only new rows come back.
    const again = await database.db
      .transaction()
      .execute((trx) => insert.execute(trx, [...rows.slice(5), { k: 9, a: 'nine', b: 90 }]));
    expect(again.map((r) => r.k)).toEqual([9]);
    // 3 + 1 rows: the full chunk reused the statement, only the 1-row rest was compiled.
    expect(builds).toBe(3);
    const stored = await database.db.selectFrom('pairs').selectAll().orderBy('k').execute();
    expect(stored).toEqual([...rows, { k: 9, a: 'nine', b: 90 }]);
    await database.close();
  });

  it('refuses a bad chunk size or no columns', () => {
    const build = () => {
      throw new Error('unused');
    };
    expect(() => new BulkInsert({ columns: ['a'], chunkSize: 0, build })).toThrow(/chunkSize/);
    expect(() => new BulkInsert({ columns: [], chunkSize: 1, build })).toThrow(/columns/);
  });
});
