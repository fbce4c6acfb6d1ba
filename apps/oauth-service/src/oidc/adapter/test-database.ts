import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { oidcPayloadsMigration } from './migration.ts';
import type { OidcTables } from './tables.ts';

/** Test support: opens a temp database and applies this module's migration only (not the service's others). */
export async function openOidcTestDatabase(url: string): Promise<Database<OidcTables>> {
  const database = createDatabase<OidcTables>(url, { poolMax: 4 });
  await migrateToLatest(database, { '0001_oidc_payloads': oidcPayloadsMigration });
  return database;
}
