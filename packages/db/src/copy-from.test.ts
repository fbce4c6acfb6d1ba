import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFrom, copyTextFrom, copyTextRow } from './copy-from.ts';
import { createDatabase, type Database } from './create-database.ts';
import { sql } from './index.ts';
import { createTempDatabase, type TempDatabase } from './temp-database.ts';

interface Schema {
  items: { id: number; label: string | null; amount: string };
}

describe('copyTextRow', () => {
  it('writes tabs between columns, \\N for NULL, and escapes what COPY text format reserves', () => {
    expect(copyTextRow(['a', 1, null, true, 12n])).toBe('a\t1\t\\N\ttrue\t12\n');
    expect(copyTextRow(['tab\there', 'line\nbreak', 'cr\rx', 'back\\slash'])).toBe(
      'tab\\there\tline\\nbreak\tcr\\rx\tback\\\\slash\n',
    );
    // A literal "\N" text is data, not NULL: its backslash is escaped.
    expect(copyTextRow(['\\N'])).toBe('\\\\N\n');
  });
});

describe('[postgres] copyFrom', () => {
  let temp: TempDatabase;
  let database: Database<Schema>;
  beforeAll(async () => {
    temp = await createTempDatabase('postgres');
    database = createDatabase<Schema>(temp.url, { poolMax: 2 });
    await sql`create table items (id bigint primary key, label text, amount numeric(20, 8) not null)`.execute(
      database.db,
    );
  });
  afterAll(async () => {
    await database?.close();
    await temp?.drop();
  });

  it('loads every row, with special characters and NULLs intact', async () => {
    const rows = [
      [1, 'plain', '1.5'],
      [2, 'tab\tnew\nline\rcr back\\slash', '0.00000001'],
      [3, null, '12345678901.12345678'],
      [4, '\\N', '2'],
      [5, 'ünïcødé ✓', '3'],
    ] as const;
    await copyFrom(database.db, 'items', ['id', 'label', 'amount'], rows);
    const stored = await database.db.selectFrom('items').selectAll().orderBy('id').execute();
    expect(stored).toEqual([
      { id: 1, label: 'plain', amount: '1.50000000' },
      { id: 2, label: 'tab\tnew\nline\rcr back\\slash', amount: '0.00000001' },
      { id: 3, label: null, amount: '12345678901.12345678' },
      { id: 4, label: '\\N', amount: '2.00000000' },
      { id: 5, label: 'ünïcødé ✓', amount: '3.00000000' },
    ]);
  });

  it('runs inside the caller’s transaction: a rollback takes the rows back', async () => {
    await database.db
      .transaction()
      .execute(async (trx) => {
        await copyFrom(trx, 'items', ['id', 'label', 'amount'], [[10, 'in trx', '1']]);
        const seen = await trx.selectFrom('items').select('id').where('id', '=', 10).execute();
        expect(seen).toEqual([{ id: 10 }]);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await database.db.selectFrom('items').select('id').where('id', '=', 10).execute()).toEqual([]);
  });

  it('fails as a whole on a duplicate key (23505), and the connection recovers at a savepoint', async () => {
    const outcome = await database.db.transaction().execute(async (trx) => {
      await sql`savepoint before_copy`.execute(trx);
      const error = await copyFrom(
        trx,
        'items',
        ['id', 'label', 'amount'],
        [
          [20, 'new', '1'],
          [1, 'duplicate of a stored row', '1'],
        ],
      ).catch((e: unknown) => e);
      await sql`rollback to savepoint before_copy`.execute(trx);
      await trx.insertInto('items').values({ id: 21, label: 'after', amount: '1' }).execute();
      return error;
    });
    expect(outcome).toMatchObject({ code: '23505' });
    const ids = (await database.db.selectFrom('items').select('id').where('id', '>=', 20).execute()).map(
      (r) => r.id,
    );
    expect(ids).toEqual([21]);
  });

  it('rejects a bad value with PostgreSQL’s error and loads nothing', async () => {
    await expect(
      copyFrom(database.db, 'items', ['id', 'label', 'amount'], [[30, 'x', 'not a number']]),
    ).rejects.toMatchObject({ code: '22P02' });
    expect(await database.db.selectFrom('items').select('id').where('id', '=', 30).execute()).toEqual([]);
    // The pool's connection still answers ordinary queries afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
  });

  it('refuses rows of the wrong width and unsafe identifiers before sending anything', async () => {
    await expect(copyFrom(database.db, 'items', ['id', 'label', 'amount'], [[1, 'x']])).rejects.toThrow(
      /2 values for 3 columns/,
    );
    await expect(copyFrom(database.db, 'items; drop table items', ['id'], [[1]])).rejects.toThrow(
      /unsafe identifier/,
    );
  });

  it('loads text already in COPY format, and refuses text that does not end its last line', async () => {
    await copyTextFrom(database.db, 'items', ['id', 'label', 'amount'], '40\tfirst\t4\n41\t\\N\t4.5\n');
    const stored = await database.db
      .selectFrom('items')
      .selectAll()
      .where('id', '>=', 40)
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { id: 40, label: 'first', amount: '4.00000000' },
      { id: 41, label: null, amount: '4.50000000' },
    ]);
    await expect(copyTextFrom(database.db, 'items', ['id', 'label', 'amount'], '42\tx\t1')).rejects.toThrow(
      /must end with a newline/,
    );
    expect(await database.db.selectFrom('items').select('id').where('id', '=', 42).execute()).toEqual([]);
  });

  it('leaves other statements alone, even ones that mention COPY', async () => {
    const { rows } = await sql<{
      text: string;
    }>`select ${'copy "items" ("id") from stdin'}::text as text`.execute(database.db);
    expect(rows).toEqual([{ text: 'copy "items" ("id") from stdin' }]);
  });
});

describe('[sqlite] copyFrom', () => {
  it('is refused with a clear error: COPY is PostgreSQL only', async () => {
    const database = createDatabase<Schema>('file::memory:');
    try {
      await expect(copyFrom(database.db, 'items', ['id'], [[1]])).rejects.toThrow(/PostgreSQL only/);
    } finally {
      await database.close();
    }
  });
});
