import { StartupError } from '@platform/config';
import { createDatabase, type Database, type DatabaseOptions } from './create-database.ts';
import { type Migrations, pendingMigrations } from './migrate.ts';

/**
 * Opens a service's database and refuses to start on a schema older than the code: a missing migration
 * would otherwise fail on the first request that needs it. The handle is closed on any failure.
 */
export async function openMigratedDatabase<DB>(
  url: string,
  migrations: Migrations,
  options: DatabaseOptions = {},
): Promise<Database<DB>> {
  const database = createDatabase<DB>(url, options);
  try {
    const pending = await pendingMigrations(database, migrations);
    if (pending.length > 0) {
      throw new StartupError(`database is not migrated (pending: ${pending.join(', ')}); run pnpm db:push`);
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
