import { type Migration, nowMs, timestampMs } from '@platform/db';
import type { Kysely } from 'kysely';
import type { OAuthSchema } from './schema.ts';

// Facts the service records about its own database, one row per name. The seed uses it to remember that the
// bootstrap administrator was created, so deleting that account never lets a later seed bring it back with
// the bootstrap password.

export interface SettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface SettingsTables {
  settings: SettingsTable;
}

export const BOOTSTRAP_ADMIN = 'bootstrap_admin_created';
/** The seeded console clients were marked first-party (once, so an administrator's later choice stands). */
export const FIRST_PARTY_MARKED = 'seeded_first_party_marked';

export const settingsMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('settings')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('settings').ifExists().execute();
  },
};

export async function getSetting(db: Kysely<OAuthSchema>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Records `name` once; a second call keeps the first value. */
export async function setSettingOnce(db: Kysely<OAuthSchema>, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value, updated_at: Date.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}
