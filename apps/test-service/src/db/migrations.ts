import { jsonColumn, type Migrations, nowMs, timestampMs } from '@platform/db';

export const migrations: Migrations = {
  '0001_items': {
    async up(db, dialect) {
      await db.schema
        .createTable('items')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('data', jsonColumn(dialect), (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
        .execute();
      // Listing pages newest first with a (created_at, id) cursor.
      await db.schema.createIndex('items_created_at_id').on('items').columns(['created_at', 'id']).execute();
    },
  },
  // Who acted for the creator (the token's act.sub, a client such as flow-service), beside who created it.
  '0002_item_actor': {
    async up(db) {
      await db.schema.alterTable('items').addColumn('created_by_actor', 'varchar(255)').execute();
    },
  },
};
