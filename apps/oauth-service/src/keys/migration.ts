import { type Migration, nowMs, timestampMs } from '@platform/db';

export const keysMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('alg', 'varchar(16)', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addColumn('activates_at', timestampMs(dialect), (c) => c.notNull())
      .addColumn('retired_at', timestampMs(dialect))
      .addColumn('expires_at', timestampMs(dialect))
      .execute();
    await db.schema
      .createTable('cookie_keys')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .execute();
  },
};
