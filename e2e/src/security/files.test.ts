// Backups hold password hashes, emails and token ids; database files hold the same. Written by
// scripts/backup.sh and scripts/restore.sh (and the services' database opener) under an ordinary umask
// (022), they must still be readable by their owner only: files 0600 in 0700 directories, and no plaintext
// copy left behind, whether the restore succeeds or fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTempDatabase, describeEachDialect, type TempDatabase } from '@platform/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../platform-process.ts';

const SERVICE = 'test-service';

/** Runs a script the way an operator's shell does: umask 022, so anything not set explicitly is 0644/0755. */
function run(script: string, args: string[], env: Record<string, string>) {
  const result = spawnSync('bash', ['-c', 'umask 022; exec bash "$@"', 'bash', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** `pnpm db:seed <SERVICE>` under umask 022. */
function seed(env: Record<string, string>) {
  const result = spawnSync('bash', ['-c', 'umask 022; exec node scripts/db.ts seed "$0"', SERVICE], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Every file and directory under `dir` (itself included) with its mode, for one readable assertion. */
function modes(dir: string): Record<string, string> {
  const result: Record<string, string> = { '.': mode(dir) };
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    result[entry] = mode(join(dir, entry));
  }
  return result;
}

describe('SQLite database files are private', () => {
  let parent: string;
  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'platform-files-'));
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('the seeded database and its journals are 0600 in a data directory created 0700', () => {
    // Does not exist yet: the database opener creates it.
    const dataDir = join(parent, 'data');
    seed({ PLATFORM_DATA_DIR: dataDir });
    const files = modes(dataDir);
    expect(files['.']).toBe('0700');
    expect(Object.keys(files)).toContain(`${SERVICE}.db`);
    for (const [name, value] of Object.entries(files)) {
      if (name.startsWith(`${SERVICE}.db`)) expect(value, name).toBe('0600');
    }
  });
});

describeEachDialect('backup and restore files are private', (temp) => {
  let dialect: TempDatabase['dialect'];
  let parent: string;
  let backupDir: string;
  let dataDir: string;
  let scratch: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dialect = temp().dialect;
    parent = mkdtempSync(join(tmpdir(), 'platform-files-'));
    // Neither exists yet: the scripts create them.
    backupDir = join(parent, 'backups');
    dataDir = join(parent, 'data');
    // Where the restore may put its temporary files: must be empty again afterwards.
    scratch = join(parent, 'tmp');
    mkdirSync(scratch, { mode: 0o700 });
    env = { BACKUP_DIR: backupDir, PLATFORM_DATA_DIR: dataDir, TMPDIR: scratch };
    // SQLite: the default file under PLATFORM_DATA_DIR, so the opener creates its directory too.
    if (dialect === 'postgres') env.TEST_SERVICE_DATABASE_URL = temp().url;
    seed(env);
  });
  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it('backup.sh writes 0600 files into a 0700 directory, and leaves no partial file', () => {
    const backup = run('scripts/backup.sh', [SERVICE], env);
    expect(backup.status, backup.out).toBe(0);
    const files = modes(backupDir);
    const names = Object.keys(files).filter((name) => name !== '.');
    expect(names).toEqual([expect.stringMatching(new RegExp(`^${SERVICE}_\\d{8}_\\d{6}\\.(sql|db)\\.gz$`))]);
    expect(files).toEqual({ '.': '0700', [names[0]!]: '0600' });
  });

  it('an existing backup directory, and backups an earlier version left readable, are tightened', () => {
    const old = join(parent, 'old-backups');
    mkdirSync(old, { mode: 0o755 });
    const earlier = join(old, `${SERVICE}_20200101_000000.${dialect === 'postgres' ? 'sql' : 'db'}.gz`);
    writeFileSync(earlier, gzipSync('old'), { mode: 0o644 });
    const unrelated = join(old, 'notes.txt');
    writeFileSync(unrelated, 'x', { mode: 0o644 });
    const backup = run('scripts/backup.sh', [SERVICE], { ...env, BACKUP_DIR: old });
    expect(backup.status, backup.out).toBe(0);
    const files = modes(old);
    expect(files['.']).toBe('0700');
    for (const [name, value] of Object.entries(files)) {
      if (name.startsWith(SERVICE)) expect(value, name).toBe('0600');
    }
    expect(Object.keys(files).filter((name) => name.startsWith(SERVICE))).toHaveLength(2);
    // Not ours to change: only files named like backups.
    expect(files['notes.txt']).toBe('0644');
  });

  it('restore.sh leaves the database 0600 and no plaintext copy anywhere', () => {
    const [file] = readdirSync(backupDir);
    const restored = run('scripts/restore.sh', [join(backupDir, file!), '--force'], env);
    expect(restored.status, restored.out).toBe(0);
    expect(readdirSync(backupDir)).toEqual([file]);
    expect(readdirSync(scratch)).toEqual([]);
    if (dialect === 'sqlite') {
      const files = modes(dataDir);
      expect(files['.']).toBe('0700');
      expect(files[`${SERVICE}.db`]).toBe('0600');
      expect(Object.keys(files).filter((name) => name.includes('restore'))).toEqual([]);
    }
  });

  it('a restore that fails after decompressing leaves no plaintext copy either', () => {
    // A valid archive whose content the database refuses: the plaintext exists when the failure comes.
    const kind = dialect === 'postgres' ? 'sql' : 'db';
    const bad = join(backupDir, `${SERVICE}_20200101_000000.${kind}.gz`);
    writeFileSync(bad, gzipSync('select * from no_such_table_anywhere;\n'.repeat(100)), { mode: 0o600 });
    const restored = run('scripts/restore.sh', [bad, '--force'], env);
    expect(restored.status, restored.out).not.toBe(0);
    rmSync(bad);
    expect(readdirSync(backupDir)).toHaveLength(1);
    expect(readdirSync(scratch)).toEqual([]);
    if (dialect === 'sqlite') {
      expect(readdirSync(dataDir).filter((name) => name.includes('restore'))).toEqual([]);
    }
    expect(existsSync(backupDir)).toBe(true);
  });
});

/** Every file and directory under `roots` right now, with its mode (entries vanishing meanwhile skipped). */
function snapshotModes(roots: string[]): Array<[string, number, boolean]> {
  const seen: Array<[string, number, boolean]> = [];
  for (const root of roots) {
    for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      try {
        const stat = statSync(join(root, entry));
        seen.push([join(root, entry), stat.mode & 0o777, stat.isDirectory()]);
      } catch {
        // removed between the listing and the stat
      }
    }
  }
  return seen;
}

describe('[postgres] the plaintext a restore works from', () => {
  let parent: string;
  let database: TempDatabase;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'platform-files-'));
    database = await createTempDatabase('postgres');
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('is owner-only, outside the backup directory, while the restore runs', async () => {
    const backupDir = join(parent, 'backups');
    const scratch = join(parent, 'tmp');
    mkdirSync(backupDir, { mode: 0o700 });
    mkdirSync(scratch, { mode: 0o700 });
    // A dump that keeps psql busy long enough to look at the files it reads from.
    const file = join(backupDir, `${SERVICE}_20200101_000000.sql.gz`);
    writeFileSync(file, gzipSync('select pg_sleep(3);\n'), { mode: 0o600 });
    const child = spawn('bash', ['-c', 'umask 022; exec bash scripts/restore.sh "$0" --force', file], {
      cwd: ROOT,
      env: { ...process.env, TEST_SERVICE_DATABASE_URL: database.url, TMPDIR: scratch },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seen = new Map<string, { mode: number; dir: boolean }>();
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done) {
      for (const [path, mode, dir] of snapshotModes([backupDir, scratch])) seen.set(path, { mode, dir });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await exited).toBe(0);
    const plaintext = [...seen.keys()].filter((path) => !path.endsWith('.gz') && !seen.get(path)!.dir);
    expect(plaintext.length, 'the restore was observed while its plaintext existed').toBeGreaterThan(0);
    for (const [path, { mode, dir }] of seen) {
      expect(mode.toString(8), path).toBe(dir ? '700' : '600');
    }
    expect(plaintext.filter((path) => path.startsWith(backupDir))).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
