import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/testing';

// Throw-away PostgreSQL 15 clusters for the replication test, run with the Debian binaries the test scripts
// install. PostgreSQL refuses to run as root, so as root every command runs as the `postgres` user.

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

export function pg(tool: string, args: string[], input?: string): string {
  const command = join(binDir(), tool);
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', input })
    : spawnSync(command, args, { encoding: 'utf8', input });
  if (result.status !== 0)
    throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function ownedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    const { uid, gid } = statSync('/var/lib/postgresql');
    chownSync(dir, uid, gid);
  }
  return dir;
}

export interface Cluster {
  port: number;
  dir: string;
  url(database?: string): string;
  sql(query: string, database?: string): string;
  stop(): void;
}

function cluster(dir: string, port: number): Cluster {
  return {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    sql: (query, database = 'postgres') =>
      pg('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-XAtc',
        query,
      ]).trim(),
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
  pg('pg_ctl', [
    '-D',
    dir,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`,
    'start',
  ]);
}

/**
 * A primary. PostgreSQL 15's defaults already stream (wal_level=replica, max_wal_senders=10, hot_standby=on),
 * and initdb's pg_hba.conf admits replication connections from 127.0.0.1 with the method given (trust here:
 * loopback, test only; production uses a replication role with a password or certificates).
 */
export async function startPrimary(): Promise<Cluster> {
  const data = join(ownedDir('pg-primary-'), 'data');
  pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const port = await freePort();
  start(data, port);
  return cluster(data, port);
}

/** A hot standby streaming from `primary`: pg_basebackup -R writes primary_conninfo and standby.signal. */
export async function startStandby(primary: Cluster): Promise<Cluster> {
  const data = join(ownedDir('pg-standby-'), 'data');
  pg('pg_basebackup', [
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
  ]);
  const port = await freePort();
  start(data, port);
  return cluster(data, port);
}
