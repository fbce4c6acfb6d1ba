import { jsonColumn, type Migration, sql, timestampMs } from '@platform/db';

// The audit log is append-only, enforced by the database rather than by convention: a compromised or
// buggy code path (or an operator's ad-hoc SQL) cannot quietly rewrite history. Retention, if ever
// needed, is a deliberate migration that drops the triggers first.
export const auditMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('audit_log')
      // Monotonic ids: SQLite AUTOINCREMENT never reuses one; a PostgreSQL identity only ever grows.
      .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('actor_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('actor_id', 'varchar(255)')
      .addColumn('actor_name', 'varchar(255)')
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('target_type', 'varchar(64)')
      .addColumn('target_id', 'varchar(255)')
      .addColumn('client_id', 'varchar(255)')
      .addColumn('ip', 'varchar(64)')
      .addColumn('user_agent', 'varchar(512)')
      .addColumn('request_id', 'varchar(128)')
      .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
      .addColumn('details', jsonColumn(dialect), (c) => c.notNull())
      .addCheckConstraint('audit_log_actor_type_check', sql`actor_type in ('user', 'client', 'system')`)
      .addCheckConstraint('audit_log_outcome_check', sql`outcome in ('success', 'failure')`)
      .execute();

    // Every filter of the query API pages by id, so each index ends in id; time ranges use created_at.
    await db.schema
      .createIndex('audit_log_created_at')
      .on('audit_log')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_log_actor')
      .on('audit_log')
      .columns(['actor_type', 'actor_id', 'id'])
      .execute();
    await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'id']).execute();
    await db.schema.createIndex('audit_log_client_id').on('audit_log').columns(['client_id', 'id']).execute();
    await db.schema
      .createIndex('audit_log_target')
      .on('audit_log')
      .columns(['target_type', 'target_id', 'id'])
      .execute();

    if (dialect === 'postgres') {
      await sql`
        create function audit_log_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
        end
        $$`.execute(db);
      // Statement-level, so even an UPDATE or DELETE matching no row is refused, and TRUNCATE too.
      await sql`
        create trigger audit_log_no_update_delete before update or delete on audit_log
        for each statement execute function audit_log_append_only()`.execute(db);
      await sql`
        create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_append_only()`.execute(db);
    } else {
      await sql`
        create trigger audit_log_no_update before update on audit_log
        begin select raise(abort, 'audit_log is append-only: UPDATE refused'); end`.execute(db);
      await sql`
        create trigger audit_log_no_delete before delete on audit_log
        begin select raise(abort, 'audit_log is append-only: DELETE refused'); end`.execute(db);
    }
  },

  async down(db, dialect) {
    // Dropping the table drops its triggers on both dialects.
    await db.schema.dropTable('audit_log').ifExists().execute();
    if (dialect === 'postgres') await sql`drop function if exists audit_log_append_only()`.execute(db);
  },
};
