import { type Database, sql } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { oidcPayloadsMigration } from './migration.ts';
import type { OidcTables } from './tables.ts';
import { openOidcTestDatabase } from './test-database.ts';

describeEachDialect('oidc_payloads migration', (temp) => {
  let database: Database<OidcTables>;

  beforeAll(async () => {
    database = await openOidcTestDatabase(temp().url);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates the columns with the expected nullability', async () => {
    const tables = await database.db.introspection.getTables();
    const table = tables.find((t) => t.name === 'oidc_payloads');
    const columns = Object.fromEntries(table!.columns.map((c) => [c.name, c.isNullable]));
    expect(columns).toEqual({
      model: false,
      id: false,
      payload: false,
      grant_id: true,
      user_code: true,
      uid: true,
      expires_at: true,
      consumed_at: true,
    });
  });

  it('keys rows by (model, id)', async () => {
    const row = { model: 'AccessToken', id: 'dup', payload: '{}' };
    await database.db.insertInto('oidc_payloads').values(row).execute();
    await database.db
      .insertInto('oidc_payloads')
      .values({ ...row, model: 'RefreshToken' })
      .execute();
    await expect(database.db.insertInto('oidc_payloads').values(row).execute()).rejects.toThrow();
    await expect(
      database.db
        .insertInto('oidc_payloads')
        .values({ model: 'AccessToken', id: 'no-payload' } as never)
        .execute(),
    ).rejects.toThrow();
    // Timestamps past 2^31 s·1000 must fit (bigint on PostgreSQL) and come back as numbers.
    await database.db
      .updateTable('oidc_payloads')
      .set({ expires_at: 4_102_444_800_000 })
      .where('id', '=', 'dup')
      .execute();
    const stored = await database.db.selectFrom('oidc_payloads').select('expires_at').execute();
    expect(stored.map((r) => r.expires_at)).toEqual([4_102_444_800_000, 4_102_444_800_000]);
    await database.db.deleteFrom('oidc_payloads').execute();
  });

  it('serves every adapter lookup from an index', async () => {
    const lookups: Array<[string, string]> = [
      ['model = ? and id = ?', 'oidc_payloads_pkey'],
      ['grant_id = ?', 'oidc_payloads_grant_id_idx'],
      ['model = ? and user_code = ?', 'oidc_payloads_user_code_idx'],
      ['model = ? and uid = ?', 'oidc_payloads_uid_idx'],
      ['expires_at <= ?', 'oidc_payloads_expires_at_idx'],
    ];
    await database.db.connection().execute(async (db) => {
      // An empty table is cheapest to scan; forbid that so PostgreSQL shows the index it would use at scale.
      if (database.dialect === 'postgres') await sql`set enable_seqscan = off`.execute(db);
      try {
        for (const [where, index] of lookups) {
          const plan = await explain(db, database.dialect, where);
          if (database.dialect === 'sqlite' && index === 'oidc_payloads_pkey') {
            // SQLite names a table-constraint primary key index sqlite_autoindex_<table>_1.
            expect(plan).toMatch(/USING INDEX sqlite_autoindex_oidc_payloads_1 \(model=\? AND id=\?\)/);
          } else {
            expect(plan, where).toContain(index);
          }
        }
      } finally {
        if (database.dialect === 'postgres') await sql`reset enable_seqscan`.execute(db);
      }
    });
  });

  it('drops the table on the way down', async () => {
    await oidcPayloadsMigration.down!(database.db, database.dialect);
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('oidc_payloads');
  });
});

async function explain(db: Kysely<OidcTables>, dialect: string, where: string): Promise<string> {
  const literal = where.replace('<= ?', '<= 1').replaceAll('= ?', "= 'x'");
  const query =
    dialect === 'postgres'
      ? sql.raw(`explain select payload from oidc_payloads where ${literal}`)
      : sql.raw(`explain query plan select payload from oidc_payloads where ${literal}`);
  const { rows } = await query.execute(db);
  return rows.map((row) => Object.values(row as Record<string, unknown>).join(' ')).join('\n');
}
