import { type Migration, sql, timestampMs } from '@platform/db';

// A user's passkeys (WebAuthn credentials) and the challenges the service issued for them. Binary values
// (credential id, public key) are stored base64url as text, the same on both dialects.
export const passkeysMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // Authenticators may return ids up to 1023 bytes (WebAuthn L3): 1364 characters in base64url.
      .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('sign_count', 'bigint', (c) => c.notNull().defaultTo(0))
      // JSON array of AuthenticatorTransport values, as the authenticator reported them.
      .addColumn('transports', 'varchar(200)', (c) => c.notNull().defaultTo('[]'))
      .addColumn('backup_eligible', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('backup_state', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('device_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('aaguid', 'varchar(36)', (c) => c.notNull())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('last_used_at', timestampMs(dialect))
      .addUniqueConstraint('passkeys_credential_id_unique', ['credential_id'])
      .addCheckConstraint('passkeys_device_type_check', sql`device_type in ('singleDevice', 'multiDevice')`)
      .addCheckConstraint(
        'passkeys_backup_flags_check',
        sql`backup_eligible in (0, 1) and backup_state in (0, 1)`,
      )
      .execute();
    await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

    // One open challenge per purpose and subject ('signin:<interaction uid>', 'register:<user id>'): a new
    // one replaces the old, and verifying takes it away, so each is used at most once.
    await db.schema
      .createTable('passkey_challenges')
      .addColumn('subject', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('challenge', 'varchar(100)', (c) => c.notNull())
      .addColumn('expires_at', timestampMs(dialect), (c) => c.notNull())
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('passkey_challenges').ifExists().execute();
    await db.schema.dropTable('passkeys').ifExists().execute();
  },
};
