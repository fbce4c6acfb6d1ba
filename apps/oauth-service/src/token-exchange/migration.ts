import { jsonColumn, type Migration, timestampMs } from '@platform/db';

// One policy per client; none means the client may exchange nothing. It leaves with its client.
export const tokenExchangeMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('token_exchange_policies')
      .addColumn('client_id', 'varchar(128)', (c) =>
        c.primaryKey().references('clients.client_id').onDelete('cascade'),
      )
      .addColumn('audiences', jsonColumn(dialect), (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('delegation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('impersonation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull())
      .execute();
  },
};
