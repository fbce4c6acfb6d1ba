import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DatabaseTarget, parseDatabaseUrl } from '@platform/config';
import SQLite from 'better-sqlite3';
import { type Dialect, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';

export type DialectName = DatabaseTarget['dialect'];

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  /** Cheap round trip for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL pool size (default 10). SQLite has a single connection: better-sqlite3 is synchronous. */
  poolMax?: number;
}

// int8/bigint columns (epoch-millisecond timestamps, counters) come back from pg as strings by default;
// every value we store fits in 2^53, so numbers keep the two dialects returning the same JS types.
const PG_INT8_OID = 20;
const PG_NUMERIC_OID = 1700;
const PG_JSON_OIDS = new Set([114, 3802]);
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8_OID) return (value: string) => Number(value);
    // numeric stays a string: decimals (prices, volumes) must not be rounded through floats.
    if (oid === PG_NUMERIC_OID) return (value: string) => value;
    // json/jsonb stay text, as on SQLite, so the application parses documents the same way on both.
    if (PG_JSON_OIDS.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

function sqliteDialect(filename: string): Dialect {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const database = new SQLite(filename);
  // WAL lets readers run beside the writer; synchronous=FULL makes each commit durable before it returns,
  // so an acknowledged write survives a crash. busy_timeout covers a second process (db:studio, a CLI).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database });
}

function postgresDialect(connectionString: string, options: DatabaseOptions): Dialect {
  const pool = new pg.Pool({ connectionString, max: options.poolMax ?? 10, types: pgTypes });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

/** Opens the database named by DATABASE_URL: SQLite for `file:`/`sqlite:`, PostgreSQL for `postgres://`. */
export function createDatabase<DB>(url: string, options: DatabaseOptions = {}): Database<DB> {
  const target = parseDatabaseUrl(url);
  const dialect =
    target.dialect === 'sqlite'
      ? sqliteDialect(target.filename)
      : postgresDialect(target.connectionString, options);
  const db = new Kysely<DB>({ dialect });
  let closed = false;
  return {
    db,
    dialect: target.dialect,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
