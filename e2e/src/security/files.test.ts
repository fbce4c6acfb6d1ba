// Backups hold password hashes, emails and token ids; database files hold the same. Written by
// scripts/backup.sh and scripts/restore.sh (and the services' database opener) under an ordinary umask
// (022), they must still be readable by their owner only: files 0600 in 0700 directories, and no plaintext
// copy left behind, whether the restore succeeds or fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeEachDialect, type TempDatabase } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Every file and directory under `dir` (itself included) with its mode, for one readable assertion. */
function modes(dir: string): Record<string, string> {
  const result: Record<string, string> = { '.': mode(dir) };
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    result[entry] = mode(join(dir, entry));
  }
  return result;
}

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
  });
  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  const seed = () => {
    const result = spawnSync('bash', ['-c', 'umask 022; exec node scripts/db.ts seed "$0"', SERVICE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  };

  it('the database files are 0600 in a 0700 directory (SQLite)', () => {
    seed();
    if (dialect !== 'sqlite') return;
    const files = modes(dataDir);
    expect(files['.']).toBe('0700');
    expect(Object.keys(files)).toContain(`${SERVICE}.db`);
    for (const [name, value] of Object.entries(files)) {
      if (name.startsWith(`${SERVICE}.db`)) expect(value, name).toBe('0600');
    }
  });

  it('backup.sh writes 0600 files into a 0700 directory, and leaves no partial file', () => {
    const backup = run('scripts/backup.sh', [SERVICE], env);
    expect(backup.status, backup.out).toBe(0);
    const files = modes(backupDir);
    const names = Object.keys(files).filter((name) => name !== '.');
    expect(names).toEqual([expect.stringMatching(new RegExp(`^${SERVICE}_\\d{8}_\\d{6}\\.(sql|db)\\.gz$`))]);
    expect(files).toEqual({ '.': '0700', [names[0]!]: '0600' });
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
