import { type Migration, sql, timestampMs } from '@platform/db';

// Links mailed to account holders (password reset, email verification, invitation), and the two account
// facts they change: whether the address is verified and whether an invitation still waits for a password.
export const accountLinksMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .alterTable('users')
      .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('users')
      .addColumn('invitation_pending', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('account_links')
      // SHA-256 of the token, hex: the token itself is only ever in the mail.
      .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // The address the link was mailed to: once the account's address changes, the link opens nothing.
      .addColumn('email', 'varchar(254)', (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('expires_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('used_at', timestampMs(dialect))
      .addCheckConstraint('account_links_purpose_check', sql`purpose in ('reset', 'verify', 'invite')`)
      .execute();
    // A new link supersedes the user's unused ones of the same purpose: found by user and purpose.
    await db.schema
      .createIndex('account_links_user_purpose')
      .on('account_links')
      .columns(['user_id', 'purpose'])
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('account_links').ifExists().execute();
    await db.schema.alterTable('users').dropColumn('invitation_pending').execute();
    await db.schema.alterTable('users').dropColumn('email_verified').execute();
  },
};
