import { type Migration, timestampMs } from '@platform/db';

// Second factors (TOTP and recovery codes) and the policy columns that decide when one is asked: per role,
// per client, and the administrator's "enrol at next sign-in" per user. Every flag starts off, so nobody's
// sign-in changes until an operator asks for it.
export const mfaMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .alterTable('roles')
      .addColumn('mfa_required', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('clients')
      .addColumn('require_mfa', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('users')
      .addColumn('mfa_enrolment_required', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('mfa_totp')
      .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('confirmed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('confirmed_at', timestampMs(dialect))
      .addColumn('last_used_at', timestampMs(dialect))
      .addColumn('last_used_step', 'integer')
      .execute();

    await db.schema
      .createTable('mfa_recovery_codes')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('used_at', timestampMs(dialect))
      .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('mfa_recovery_codes').ifExists().execute();
    await db.schema.dropTable('mfa_totp').ifExists().execute();
    await db.schema.alterTable('users').dropColumn('mfa_enrolment_required').execute();
    await db.schema.alterTable('clients').dropColumn('require_mfa').execute();
    await db.schema.alterTable('roles').dropColumn('mfa_required').execute();
  },
};
