import { type Migration, timestampMs } from '@platform/db';

export const MAX_MODEL_LENGTH = 64;
export const MAX_KEY_LENGTH = 255;

export const oidcPayloadsMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('oidc_payloads')
      .addColumn('model', `varchar(${MAX_MODEL_LENGTH})`, (c) => c.notNull())
      .addColumn('id', `varchar(${MAX_KEY_LENGTH})`, (c) => c.notNull())
      // Plain text rather than jsonColumn (jsonb on PostgreSQL): the payload is never queried into, and jsonb
      // would reparse every write and reject `\u0000`, which a client can smuggle into an Interaction's params.
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', `varchar(${MAX_KEY_LENGTH})`)
      .addColumn('user_code', `varchar(${MAX_KEY_LENGTH})`)
      .addColumn('uid', `varchar(${MAX_KEY_LENGTH})`)
      .addColumn('expires_at', timestampMs(dialect))
      .addColumn('consumed_at', timestampMs(dialect))
      .addPrimaryKeyConstraint('oidc_payloads_pkey', ['model', 'id'])
      .execute();
    // Partial indexes: most rows have no user code or uid, and only tokens carry a grant, so each index holds
    // just the rows it can find; the planners use them for `col = ?` / `col <= ?`, which imply `not null`.
    for (const column of ['grant_id', 'user_code', 'uid', 'expires_at'] as const) {
      await db.schema
        .createIndex(`oidc_payloads_${column}_idx`)
        .on('oidc_payloads')
        .column(column)
        .where(column, 'is not', null)
        .execute();
    }
  },
  async down(db) {
    await db.schema.dropTable('oidc_payloads').ifExists().execute();
  },
};
