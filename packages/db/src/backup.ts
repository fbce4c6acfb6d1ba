import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { parseDatabaseUrl } from '@platform/config';
import Sqlite from 'better-sqlite3';

// Backups of one service database, behind `scripts/backup.sh` and `scripts/restore.sh`:
// - PostgreSQL: `pg_dump` (plain SQL, with DROP ... IF EXISTS first, no owners or grants, so it restores into
//   any database the service's role owns), gzipped: `<service>_<YYYYmmdd_HHMMSS>.sql.gz`, as the runbook's
//   backup.sh does.
// - SQLite: the online backup API (better-sqlite3's `backup`), which copies a consistent snapshot while the
//   service keeps writing, gzipped: `<service>_<YYYYmmdd_HHMMSS>.db.gz`.
// Restore reverses either. A PostgreSQL restore runs in one transaction (all or nothing); a SQLite restore is
// checked (`integrity_check`) before it atomically replaces the database file.
// Backups and restored databases hold password hashes, emails and token ids: every file written here is
// created 0600 and every directory created here 0700, whatever the caller's umask, and temporary copies are
// removed whether the operation succeeds or fails.

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** A write stream on a file created (or truncated) readable by its owner only. */
function privateWriteStream(path: string) {
  rmSync(path, { force: true });
  return createWriteStream(path, { mode: PRIVATE_FILE, flags: 'wx' });
}

/** Creates `path` empty and owner-only, for writers (SQLite) that would otherwise apply the umask. */
function createPrivateFile(path: string): void {
  rmSync(path, { force: true });
  closeSync(openSync(path, 'wx', PRIVATE_FILE));
}

/** A SQLite file and the journals SQLite may leave beside it. */
function removeSqliteFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

export const BACKUP_NAME = /^(?<service>[a-z][a-z0-9-]*)_(?<stamp>\d{8}_\d{6})\.(?<kind>sql|db)\.gz$/;

/** `20260128_020000` in UTC, as in the runbook's `date +%Y%m%d_%H%M%S`. */
export function backupStamp(at: Date): string {
  const iso = at.toISOString(); // 2026-01-28T02:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export interface BackupOptions {
  service: string;
  databaseUrl: string;
  dir: string;
  at?: Date;
  /** pg_dump / psql to use; default: found on PATH. */
  pgBin?: string;
}

/** Writes one compressed backup and returns its path. Fails (and leaves no partial file) on any error. */
export async function backupDatabase(options: BackupOptions): Promise<string> {
  const target = parseDatabaseUrl(options.databaseUrl);
  mkdirSync(options.dir, { recursive: true, mode: PRIVATE_DIR });
  const kind = target.dialect === 'postgres' ? 'sql' : 'db';
  const file = join(options.dir, `${options.service}_${backupStamp(options.at ?? new Date())}.${kind}.gz`);
  const partial = `${file}.partial`;
  try {
    if (target.dialect === 'postgres') {
      await dumpPostgres(target.connectionString, partial, options.pgBin);
    } else {
      await snapshotSqlite(target.filename, partial);
    }
    chmodSync(partial, PRIVATE_FILE);
    renameSync(partial, file);
    return file;
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * The connection string without its password, and the password in PGPASSWORD: command lines are visible to
 * every user of the machine (`ps`), the environment is not.
 */
export function pgClientArgs(connectionString: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(connectionString);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function dumpPostgres(connectionString: string, out: string, pgBin?: string): Promise<void> {
  const { dbname, env } = pgClientArgs(connectionString);
  const child = spawn(
    pgBin ? join(pgBin, 'pg_dump') : 'pg_dump',
    ['--format=plain', '--clean', '--if-exists', '--no-owner', '--no-privileges', `--dbname=${dbname}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const exit = childExit(child, 'pg_dump');
  await pipeline(child.stdout, createGzip(), privateWriteStream(out));
  await exit;
}

async function snapshotSqlite(filename: string, out: string): Promise<void> {
  if (!existsSync(filename)) throw new Error(`no SQLite database at ${filename}`);
  const snapshot = `${out}.sqlite`;
  try {
    // SQLite keeps the mode of a file that exists: the snapshot is private from its first byte.
    createPrivateFile(snapshot);
    const db = new Sqlite(filename, { readonly: true, fileMustExist: true });
    try {
      await db.backup(snapshot);
    } finally {
      db.close();
    }
    await pipeline(createReadStream(snapshot), createGzip(), privateWriteStream(out));
  } finally {
    removeSqliteFiles(snapshot);
  }
}

export interface RestoreOptions {
  databaseUrl: string;
  file: string;
  pgBin?: string;
}

/** Replaces the database's content with the backup's. */
export async function restoreDatabase(options: RestoreOptions): Promise<void> {
  const target = parseDatabaseUrl(options.databaseUrl);
  const match = BACKUP_NAME.exec(basename(options.file));
  if (!match?.groups)
    throw new Error(`${options.file} is not named like a backup (<service>_<stamp>.sql.gz|.db.gz)`);
  const kind = match.groups.kind;
  if (target.dialect === 'postgres' && kind !== 'sql')
    throw new Error(`${basename(options.file)} is a SQLite backup; DATABASE_URL is PostgreSQL`);
  if (target.dialect === 'sqlite' && kind !== 'db')
    throw new Error(`${basename(options.file)} is a PostgreSQL backup; DATABASE_URL is SQLite`);
  if (target.dialect === 'postgres')
    await restorePostgres(target.connectionString, options.file, options.pgBin);
  else await restoreSqlite(target.filename, options.file);
}

async function restorePostgres(connectionString: string, file: string, pgBin?: string): Promise<void> {
  // Decompressed in full before psql sees a byte: a damaged archive must fail here, not end psql's input early
  // (psql would commit the statements it had, and the dump starts by dropping the tables). The plaintext goes
  // into a private temporary directory (mkdtemp: 0700), never beside the backup.
  const work = mkdtempSync(join(tmpdir(), 'platform-restore-'));
  const sqlFile = join(work, 'restore.sql');
  try {
    await pipeline(createReadStream(file), createGunzip(), privateWriteStream(sqlFile));
    const { dbname, env } = pgClientArgs(connectionString);
    const child = spawn(
      pgBin ? join(pgBin, 'psql') : 'psql',
      [
        '--quiet',
        '--no-psqlrc',
        '--single-transaction',
        '-v',
        'ON_ERROR_STOP=1',
        `--file=${sqlFile}`,
        `--dbname=${dbname}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env },
    );
    await childExit(child, 'psql');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function restoreSqlite(filename: string, file: string): Promise<void> {
  mkdirSync(dirname(filename), { recursive: true, mode: PRIVATE_DIR });
  // Beside the database, so the final rename is atomic (same file system); 0600 like the database it becomes.
  const incoming = `${filename}.restore`;
  try {
    await pipeline(createReadStream(file), createGunzip(), privateWriteStream(incoming));
    const check = new Sqlite(incoming, { readonly: true, fileMustExist: true });
    try {
      const result = check.pragma('integrity_check', { simple: true });
      if (result !== 'ok') throw new Error(`the backup fails SQLite's integrity check: ${String(result)}`);
    } finally {
      check.close();
    }
    // The old database's write-ahead log must not be replayed onto the restored file.
    for (const suffix of ['-wal', '-shm']) rmSync(`${filename}${suffix}`, { force: true });
    renameSync(incoming, filename);
  } finally {
    // Opening a damaged file can leave journals beside it.
    removeSqliteFiles(incoming);
  }
}

function childExit(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', (error) =>
      reject(new Error(`${name} could not be started (${error.message}); install postgresql-client`)),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}
