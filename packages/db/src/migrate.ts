import type { Kysely } from 'kysely';
import { type Migration as KyselyMigration, Migrator } from 'kysely/migration';
import type { Database, DialectName } from './create-database.ts';

/**
 * A service migration. It gets the dialect so the few type differences (auto ids, binary, json) can be
 * chosen in one place; everything else uses Kysely's dialect-agnostic schema builder.
 */
export interface Migration {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not today's types.
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  down?(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** Migrations by name; names sort in the order they apply (use a `0001_` style prefix). */
export type Migrations = Record<string, Migration>;

export interface MigrationReport {
  applied: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies every pending migration in order, each in its own transaction where the dialect allows. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run regardless of the service's table types.
type AnyDatabase = Database<any>;

export async function migrateToLatest(
  database: AnyDatabase,
  migrations: Migrations,
): Promise<MigrationReport> {
  const provided: Record<string, KyselyMigration> = {};
  for (const [name, migration] of Object.entries(migrations)) {
    provided[name] = {
      up: (db) => migration.up(db, database.dialect),
      ...(migration.down ? { down: (db) => migration.down!(db, database.dialect) } : {}),
    };
  }
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => provided },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations not applied yet; services refuse to start while any remain (run `pnpm db:push`). */
export async function pendingMigrations(database: AnyDatabase, migrations: Migrations): Promise<string[]> {
  const provided: Record<string, KyselyMigration> = {};
  for (const name of Object.keys(migrations)) provided[name] = { up: async () => {} };
  const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => provided } });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
