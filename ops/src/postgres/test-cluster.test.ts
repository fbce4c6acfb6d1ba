import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, repoPath } from '../support/repo.ts';

// The test tooling's PostgreSQL cluster (scripts/lib/postgres.sh, used by scripts/test.sh and the benchmarks)
// on a port and directory of its own: any local user could use a trust-auth cluster as its superuser (and
// so run programs as the cluster owner), so the cluster takes a password on every connection, keeps it in
// an owner-only file, and refuses a data directory someone else planted.

const asRoot = process.getuid?.() === 0;
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

function tooling(script: string, env: Record<string, string>) {
  const result = spawnSync(
    'bash',
    ['-c', `source scripts/lib/toolchain.sh; source scripts/lib/postgres.sh; ${script}`],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 90_000 },
  );
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** psql as `user` (another account of the machine when running as root), with or without a password. */
function psql(port: number, password: string | undefined, user?: string) {
  const args = [
    '-X',
    '-w',
    '-Atc',
    'select current_user',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
  ];
  const env = { ...process.env, PGPASSWORD: password ?? '' };
  if (!password) delete (env as Record<string, string | undefined>).PGPASSWORD;
  const result = user
    ? spawnSync('runuser', ['-u', user, '--', 'psql', ...args], { env, encoding: 'utf8' })
    : spawnSync('psql', args, { env, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

describe('scripts/lib/postgres.sh test cluster', () => {
  let parent: string;
  let dir: string;
  let port: number;
  let env: Record<string, string>;
  let url: URL;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'pg-tooling-'));
    dir = join(parent, 'cluster');
    port = await freePort();
    env = { PG_TEST_DIR: dir, PG_TEST_PORT: String(port) };
    // The cluster owner (postgres, when root) must reach the directory.
    if (asRoot) spawnSync('chmod', ['711', parent]);
    const started = tooling('ensure_test_postgres; echo "URL=$TEST_POSTGRES_URL"', env);
    expect(started.status, started.out).toBe(0);
    url = new URL(/URL=(\S+)/.exec(started.out)![1]!);
  }, 120_000);

  afterAll(() => {
    tooling('as_pg_owner "$(pg_bin)/pg_ctl" -D "$PG_TEST_DIR" -m fast stop', env);
    rmSync(parent, { recursive: true, force: true });
  });

  it('TEST_POSTGRES_URL carries a long random password, kept 0600 in the 0700 data directory', () => {
    expect(url.username).toBe('postgres');
    expect(url.port).toBe(String(port));
    expect(url.password).toMatch(/^[0-9a-f]{48}$/);
    expect(mode(dir)).toBe('0700');
    expect(mode(join(dir, 'test-password'))).toBe('0600');
    expect(readFileSync(join(dir, 'test-password'), 'utf8').trim()).toBe(url.password);
    // The socket is in the private data directory, not in the shared /tmp.
    expect(readdirSync(dir)).toContain(`.s.PGSQL.${port}`);
    const url2 = tooling('bash scripts/lib/postgres.sh url', env);
    expect(url2.out.trim()).toBe(url.toString());
  });

  it('the password lets the tests in', () => {
    expect(psql(port, url.password)).toEqual({ status: 0, out: 'postgres' });
  });

  it('no connection without the password, nor with a wrong one', () => {
    const none = psql(port, undefined);
    expect(none.status).not.toBe(0);
    expect(none.out).toMatch(/no password supplied|password authentication failed/);
    const wrong = psql(port, 'not-the-password');
    expect(wrong.status).not.toBe(0);
    expect(wrong.out).toMatch(/password authentication failed/);
  });

  it.skipIf(!asRoot)('another local account cannot connect, over TCP or the socket', () => {
    const tcp = psql(port, undefined, 'nobody');
    expect(tcp.status).not.toBe(0);
    const socket = spawnSync(
      'runuser',
      [
        '-u',
        'nobody',
        '--',
        'psql',
        '-X',
        '-w',
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-c',
        'select 1',
      ],
      { encoding: 'utf8' },
    );
    expect(socket.status).not.toBe(0);
  });

  it('refuses a data directory that another user planted or that others can read', () => {
    const planted = join(parent, 'planted');
    mkdirSync(planted, { mode: 0o755 });
    const refused = tooling('check_cluster_dir "$PG_TEST_DIR"', { PG_TEST_DIR: planted });
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/belongs to uid|has mode 755/);
  });
});

describe('scripts/lib/postgres.sh and a cluster made without a password', () => {
  it('replaces it with a password-protected one instead of using it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pg-trust-'));
    if (asRoot) spawnSync('chmod', ['711', parent]);
    const dir = join(parent, 'cluster');
    const env = { PG_TEST_DIR: dir, PG_TEST_PORT: String(await freePort()) };
    try {
      const trust = tooling(
        'mkdir -m 700 "$PG_TEST_DIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_TEST_DIR"; ' +
          'as_pg_owner "$(pg_bin)/initdb" -D "$PG_TEST_DIR" -U postgres -A trust --no-sync >/dev/null && echo made',
        env,
      );
      expect(trust.out).toContain('made');
      const started = tooling('ensure_test_postgres; echo "URL=$TEST_POSTGRES_URL"', env);
      expect(started.status, started.out).toBe(0);
      expect(started.out).toMatch(/replacing the test PostgreSQL cluster/);
      const url = new URL(/URL=(\S+)/.exec(started.out)![1]!);
      expect(url.password).toMatch(/^[0-9a-f]{48}$/);
      expect(psql(Number(env.PG_TEST_PORT), undefined).status).not.toBe(0);
    } finally {
      tooling('as_pg_owner "$(pg_bin)/pg_ctl" -D "$PG_TEST_DIR" -m fast stop', env);
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('test tooling makes no world-writable directory', () => {
  it('no script under scripts/ or bench/ opens a directory to every user', () => {
    const files = ['scripts', 'scripts/lib', 'bench/kline', 'bench/gateway'].flatMap((folder) =>
      readdirSync(repoPath(folder))
        .filter((name) => name.endsWith('.sh'))
        .map((name) => join(folder, name)),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(repoPath(file), 'utf8');
      expect(text, file).not.toMatch(/chmod\s+(-R\s+)?(0?7[0-7]7|1777|a\+w|o\+w)\b/);
    }
  });
});
