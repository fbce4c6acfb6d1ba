import { type Database, sql } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OAuthSchema } from '../db/schema.ts';
import { createAuditLog } from './audit-log.ts';
import { auditMigration } from './migration.ts';
import { openAuditDatabase } from './test-support.ts';

describeEachDialect('audit_log append-only', (temp) => {
  let database: Database<OAuthSchema>;
  const count = async () =>
    Number(
      (
        await database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    database = await openAuditDatabase(temp().url);
    const audit = createAuditLog(database.db);
    for (const action of ['user.create', 'user.delete']) {
      await audit.record({ actorType: 'system', action, outcome: 'success' });
    }
  });
  afterAll(() => database.close());

  it('refuses UPDATE through raw SQL, leaving the row as it was', async () => {
    await expect(sql`update audit_log set action = 'user.tampered'`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      database.db
        .updateTable('audit_log')
        .set({ outcome: 'failure' })
        .where('action', '=', 'user.create')
        .execute(),
    ).rejects.toThrow(/append-only/);
    const actions = await database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome'])
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { action: 'user.create', outcome: 'success' },
      { action: 'user.delete', outcome: 'success' },
    ]);
  });

  it('refuses DELETE through raw SQL, with or without a WHERE', async () => {
    await expect(
      sql`delete from audit_log where action = 'user.create'`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    expect(await count()).toBe(2);
  });

  it('refuses TRUNCATE on PostgreSQL (SQLite has none: its DELETE is refused above)', async () => {
    if (database.dialect !== 'postgres') return;
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    expect(await count()).toBe(2);
  });

  it('still accepts inserts, with ids that only grow', async () => {
    await sql`insert into audit_log (created_at, actor_type, action, outcome, details)
      values (1, 'system', 'key.rotate', 'success', '{}')`.execute(database.db);
    const ids = (await database.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(typeof ids[0]).toBe('number');
  });

  it('refuses unknown actor types and outcomes', async () => {
    await expect(
      sql`insert into audit_log (created_at, actor_type, action, outcome, details)
        values (1, 'robot', 'key.rotate', 'success', '{}')`.execute(database.db),
    ).rejects.toThrow();
    await expect(
      sql`insert into audit_log (created_at, actor_type, action, outcome, details)
        values (1, 'system', 'key.rotate', 'maybe', '{}')`.execute(database.db),
    ).rejects.toThrow();
  });

  it('drops with down(), triggers and all', async () => {
    await auditMigration.down!(database.db, database.dialect);
    await expect(sql`select count(*) from audit_log`.execute(database.db)).rejects.toThrow();
    await auditMigration.up(database.db, database.dialect);
    expect(await count()).toBe(0);
  });
});
