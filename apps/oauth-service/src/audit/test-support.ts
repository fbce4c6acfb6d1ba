import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import type { OAuthSchema } from '../db/schema.ts';
import { auditMigration } from './migration.ts';

// Test helper: a database with only the audit table, so these tests do not depend on other modules.
export async function openAuditDatabase(url: string): Promise<Database<OAuthSchema>> {
  const database = createDatabase<OAuthSchema>(url);
  await migrateToLatest(database, { '0003_audit_log': auditMigration });
  return database;
}
