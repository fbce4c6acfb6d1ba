import type { Generated } from 'kysely';
import { afterEach, expect, it, vi } from 'vitest';
import { runDatabaseTask } from './cli.ts';
import { createDatabase } from './create-database.ts';
import { describeEachDialect } from './each-dialect.ts';
import type { Migrations } from './migrate.ts';

const migrations: Migrations = {
  '0001_things': {
    async up(db) {
      await db.schema
        .createTable('things')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('label', 'text')
        .execute();
    },
  },
};

describeEachDialect('database tasks', (temp) => {
  const lines: string[] = [];
  afterEach(() => vi.restoreAllMocks());
  const capture = () => vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  const tasks = () => ({
    service: 'svc',
    databaseUrl: temp().url,
    migrations,
    seed: async (
      database: ReturnType<typeof createDatabase<{ things: { id: Generated<number>; label: string } }>>,
    ) => {
      await database.db
        .insertInto('things')
        .values({ id: 1, label: 'one' })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return 'seeded things';
    },
  });

  it('push applies migrations, then reports the schema up to date', async () => {
    capture();
    await runDatabaseTask('push', tasks());
    await runDatabaseTask('push', tasks());
    expect(lines.splice(0)).toEqual([
      'svc: applied 0001_things',
      `svc: schema up to date (${temp().dialect})`,
    ]);
  });

  it('seed is idempotent', async () => {
    capture();
    await runDatabaseTask('seed', tasks());
    await runDatabaseTask('seed', tasks());
    const database = createDatabase<{ things: { id: number; label: string } }>(temp().url);
    expect(await database.db.selectFrom('things').selectAll().execute()).toEqual([{ id: 1, label: 'one' }]);
    await database.close();
    expect(lines.splice(0)).toEqual(['svc: seeded things', 'svc: seeded things']);
  });

  it('studio lists tables with row counts', async () => {
    capture();
    await runDatabaseTask('studio', tasks());
    const out = lines.splice(0).join('\n');
    expect(out).toMatch(/connected \((sqlite|postgres)\)/);
    expect(out).toMatch(/things\s+1 rows/);
  });

  it('rejects an unknown task', async () => {
    await expect(runDatabaseTask('drop', tasks())).rejects.toThrow(/unknown task drop/);
  });
});
