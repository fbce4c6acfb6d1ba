export type { Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely';
export { sql } from 'kysely';
export { BACKUP_NAME, backupDatabase, backupStamp, restoreDatabase } from './backup.ts';
export { type DatabaseTasks, runDatabaseTask } from './cli.ts';
export { decimalColumn, jsonColumn, nowMs, timestampMs } from './columns.ts';
export { type CopyValue, copyFrom, copyTextFrom, copyTextRow } from './copy-from.ts';
export { createDatabase, type Database, type DatabaseOptions, type DialectName } from './create-database.ts';
export {
  type Migration,
  MigrationError,
  type MigrationReport,
  type Migrations,
  migrateToLatest,
  pendingMigrations,
} from './migrate.ts';
export { openMigratedDatabase } from './open-migrated.ts';
export { isUniqueViolation, uniqueViolationField } from './unique-violation.ts';
