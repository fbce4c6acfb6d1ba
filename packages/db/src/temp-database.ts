import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, z } from '@platform/config';
import pg from 'pg';
import type { DialectName } from './create-database.ts';

export interface TempDatabase {
  dialect: DialectName;
  /** DATABASE_URL of a fresh, empty database. */
  url: string;
  /** Drops the database (PostgreSQL) or deletes its files (SQLite). */
  drop(): Promise<void>;
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

let adminUrl: string | undefined;
/** The PostgreSQL server tests create databases on; scripts/test.sh starts one and sets TEST_POSTGRES_URL. */
function postgresAdminUrl(): string {
  adminUrl ??= loadConfig({
    TEST_POSTGRES_URL: z
      .string({ error: 'is not set: run the tests through scripts/test.sh, which starts PostgreSQL 15' })
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  }).TEST_POSTGRES_URL;
  return adminUrl;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database of the given dialect for one test suite. */
export async function createTempDatabase(dialect: DialectName): Promise<TempDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'platform-test-'));
    return {
      dialect,
      url: `file:${join(dir, 'test.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`create database "${name}"`));
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}
