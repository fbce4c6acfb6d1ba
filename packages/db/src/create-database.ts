import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DatabaseTarget, parseDatabaseUrl } from '@platform/config';
import SQLite from 'better-sqlite3';
import { type Dialect, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { acceptCopyFromStdin } from './copy-from.ts';

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

/**
 * The database holds password hashes, emails and token ids: its directory is created 0700 and the file 0600
 * before SQLite opens it (SQLite keeps an existing file's mode and gives its -wal and -shm files the same
 * one). An existing file that others can read is tightened to 0600.
 */
function preparePrivateFile(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(filename, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if ((statSync(filename).mode & 0o077) !== 0) tighten(filename);
  }
}

/** Best effort: only the file's owner may change its mode; the database still opens for anyone else. */
function tighten(filename: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      chmodSync(`${filename}${suffix}`, 0o600);
    } catch {
      // not ours, or no such journal
    }
  }
}

function sqliteDialect(filename: string): Dialect {
  if (filename !== ':memory:' && filename !== '') preparePrivateFile(filename);
  const database = new SQLite(filename);
  // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode: a committed transaction is in
  // the WAL before the call returns, so it survives the process crashing or being killed (kill -9); only an
  // OS crash or power cut can drop the last commits. FULL would fsync every commit (~15 ms here), capping a
  // service at ~60 writes/s. Production runs PostgreSQL. busy_timeout covers a second process (db:studio).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: withStatementCache(database) });
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew; with better-sqlite3 preparing costs more than running a primary-key
 * lookup. Prepared statements are kept per SQL text (LRU-bounded) and reused. Kysely runs one query at a
 * time on the single connection, so a cached statement is never in use by another query; the `busy` check
 * guards against a stream left open by a caller all the same.
 */
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SQLite.Statement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
}

function postgresDialect(connectionString: string, options: DatabaseOptions): Dialect {
  const pool = new pg.Pool({ connectionString, max: options.poolMax ?? 10, types: pgTypes });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', acceptCopyFromStdin);
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
