// Test support for the seed: a migrated database that is closed again whatever the test does with it, and a
// private directory for the secret files it writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { afterAll, beforeAll } from 'vitest';
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

/** A directory made before the suite's tests and removed after them; call the getter inside a test. */
export function suiteTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error(`the ${prefix} directory was not created`);
    return dir;
  };
}
