import { jsonColumn, type Migration, nowMs, timestampMs } from '@platform/db';

export const clientsMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('clients')
      .addColumn('client_id', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('client_secret', 'text')
      .addColumn('secret_rotated_at', timestampMs(dialect))
      .addColumn('redirect_uris', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('post_logout_redirect_uris', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('grant_types', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('response_types', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('token_endpoint_auth_method', 'varchar(64)', (c) => c.notNull())
      .addColumn('jwks', jsonColumn(dialect))
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('require_dpop', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('dynamic', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('metadata', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull())
      .execute();
    await db.schema.createIndex('clients_name').on('clients').column('name').unique().execute();

    await db.schema
      .createTable('resource_servers')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('identifier', 'varchar(512)', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('access_token_ttl', 'integer')
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .execute();

    await db.schema
      .createTable('scopes')
      .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('resource_server_id', 'varchar(36)', (c) =>
        c.notNull().references('resource_servers.id').onDelete('cascade'),
      )
      .addColumn('description', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('scopes_resource_server').on('scopes').column('resource_server_id').execute();

    await db.schema
      .createTable('consents')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_id', 'varchar(128)', (c) =>
        c.notNull().references('clients.client_id').onDelete('cascade'),
      )
      .addColumn('oidc_scopes', 'text', (c) => c.notNull())
      .addColumn('resource_scopes', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
      .execute();
  },
};
