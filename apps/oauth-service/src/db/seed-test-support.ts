// Test support for the seed: a migrated database that is closed again whatever the test does with it.
import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { migrations } from './migrations/index.ts';
import type { OAuthSchema } from './schema.ts';

/** Opens the database at `url`, migrates it to the latest schema, runs `use` and closes it. */
export async function withMigratedDatabase<T>(
  url: string,
  use: (database: Database<OAuthSchema>) => Promise<T>,
): Promise<T> {
  const database = createDatabase<OAuthSchema>(url);
  try {
    await migrateToLatest(database, migrations);
    return await use(database);
  } finally {
    await database.close();
  }
}
