import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { accountLinksMigration } from '../account-links/migration.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { accountsMigration } from './migration.ts';

// Test helper: a database with only this module's tables, so these tests do not depend on the others'.
export async function openAccountsDatabase(url: string): Promise<Database<OAuthSchema>> {
  const database = createDatabase<OAuthSchema>(url);
  await migrateToLatest(database, {
    '0002_accounts': accountsMigration,
    '0009_account_links': accountLinksMigration,
  });
  return database;
}
