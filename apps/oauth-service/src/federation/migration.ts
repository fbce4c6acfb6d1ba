import { type Migration, sql, timestampMs } from '@platform/db';

// Upstream identity providers and the upstream subjects linked to local accounts. A provider's links go
// with it, and a user's links go with the user. One link per provider and user: an account is one person
// at each upstream.
export const federationMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('upstream_providers')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('display_name', 'varchar(100)', (c) => c.notNull())
      .addColumn('kind', 'varchar(10)', (c) => c.notNull())
      .addColumn('issuer', 'varchar(500)')
      .addColumn('authorization_endpoint', 'varchar(500)')
      .addColumn('token_endpoint', 'varchar(500)')
      .addColumn('userinfo_endpoint', 'varchar(500)')
      .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('client_secret_sealed', 'text')
      .addColumn('scopes', 'varchar(1000)', (c) => c.notNull())
      .addColumn('claim_mapping', 'text', (c) => c.notNull())
      .addColumn('group_roles', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('jit_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('default_roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('allowed_email_domains', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('link_by_verified_email', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('mfa_satisfied_by', 'text', (c) => c.notNull().defaultTo('{"amr":[],"acr":[]}'))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull())
      .addCheckConstraint('upstream_providers_kind_check', sql`kind in ('oidc', 'oauth2')`)
      .addCheckConstraint(
        'upstream_providers_flags_check',
        sql`jit_enabled in (0, 1) and link_by_verified_email in (0, 1) and enabled in (0, 1)`,
      )
      .execute();

    await db.schema
      .createTable('upstream_identities')
      .addColumn('provider_id', 'varchar(40)', (c) =>
        c.notNull().references('upstream_providers.id').onDelete('cascade'),
      )
      .addColumn('subject', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('email', 'varchar(320)')
      .addColumn('linked_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('last_sign_in_at', timestampMs(dialect))
      .addPrimaryKeyConstraint('upstream_identities_pk', ['provider_id', 'subject'])
      .addUniqueConstraint('upstream_identities_provider_user_unique', ['provider_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('upstream_identities_user_id')
      .on('upstream_identities')
      .column('user_id')
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('upstream_identities').ifExists().execute();
    await db.schema.dropTable('upstream_providers').ifExists().execute();
  },
};
