import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/testing';

// Throw-away PostgreSQL 15 clusters for the replication test, run with the Debian binaries the test scripts
// install. PostgreSQL refuses to run as root, so as root every command runs as the `postgres` user. Each
// cluster has a random password (scram-sha-256 for every connection, replication included) and keeps its
// socket in its own private directory: no other user of the machine can connect.

function binDir(): string {
  for (const dir of ['/usr/lib/postgresql/15/bin', ...pgVersions()]) {
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found (apt-get install postgresql-15)');
}

function pgVersions(): string[] {
  const root = '/usr/lib/postgresql';
  return existsSync(root) ? readdirSync(root).map((v) => join(root, v, 'bin')) : [];
}

const asRoot = process.getuid?.() === 0;

export function pg(tool: string, args: string[], password?: string): string {
  const command = join(binDir(), tool);
  // The password in the environment, not on a command line every user can read with `ps`.
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', env })
    : spawnSync(command, args, { encoding: 'utf8', env });
  if (result.status !== 0)
    throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A private (mkdtemp: 0700) directory owned by the cluster owner. */
function ownedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownToOwner(dir);
  return dir;
}

function chownToOwner(path: string): void {
  if (!asRoot) return;
  const { uid, gid } = statSync('/var/lib/postgresql');
  chownSync(path, uid, gid);
}

export interface Cluster {
  port: number;
  dir: string;
  /** The `postgres` superuser's password (also in `url()`). */
  password: string;
  url(database?: string): string;
  sql(query: string, database?: string): string;
  stop(): void;
}

function cluster(dir: string, port: number, password: string): Cluster {
  return {
    port,
    dir,
    password,
    url: (database = 'postgres') => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    sql: (query, database = 'postgres') =>
      pg(
        'psql',
        ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-XAtc', query],
        password,
      ).trim(),
    stop() {
      try {
        pg('pg_ctl', ['-D', dir, '-m', 'fast', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}

function start(dir: string, port: number): void {
  // The socket in the cluster's own 0700 directory, not in the shared /tmp.
  pg('pg_ctl', [
    '-D',
    dir,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
}

/**
 * A primary. PostgreSQL 15's defaults already stream (wal_level=replica, max_wal_senders=10, hot_standby=on),
 * and initdb's pg_hba.conf admits replication connections from 127.0.0.1 with the method given
 * (scram-sha-256 with the superuser's password here; production uses a replication role of its own).
 */
export async function startPrimary(): Promise<Cluster> {
  const home = ownedDir('pg-primary-');
  const data = join(home, 'data');
  const password = randomBytes(24).toString('hex');
  // initdb reads the password from a file (not the command line), readable by the cluster owner only.
  const pwfile = join(home, 'password');
  writeFileSync(pwfile, password, { mode: 0o600 });
  chownToOwner(pwfile);
  try {
    pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '--no-sync']);
  } finally {
    rmSync(pwfile, { force: true });
  }
  const port = await freePort();
  start(data, port);
  return cluster(data, port, password);
}

/** A hot standby streaming from `primary`: pg_basebackup -R writes primary_conninfo and standby.signal. */
export async function startStandby(primary: Cluster): Promise<Cluster> {
  const data = join(ownedDir('pg-standby-'), 'data');
  // -R writes primary_conninfo with the password it connected with, so the standby can stream.
  pg(
    'pg_basebackup',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      data,
      '-R',
      '-X',
      'stream',
      // Start at once instead of waiting for the next spread checkpoint (minutes on an idle primary).
      '--checkpoint=fast',
    ],
    primary.password,
  );
  const port = await freePort();
  start(data, port);
  return cluster(data, port, primary.password);
}
