// scripts/backup.sh and scripts/restore.sh on real service databases, on SQLite and on PostgreSQL: seed, back up,
// wipe, restore, and compare every table's row count and checksum; retention; refusals.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, sql } from '@platform/db';
import { createTempDatabase, describeEachDialect, type TempDatabase } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../platform-process.ts';

const SERVICES = ['oauth-service', 'test-service'] as const;
const envKey = (service: string) => `${service.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;

function run(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Every table: its row count and a checksum of its rows (order-independent). */
async function snapshot(url: string): Promise<Record<string, { rows: number; sha256: string }>> {
  const database = createDatabase(url, { poolMax: 1 });
  try {
    const tables = await database.db.introspection.getTables();
    const result: Record<string, { rows: number; sha256: string }> = {};
    for (const table of tables) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(
        database.db,
      );
      const lines = rows.map((row) =>
        JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      );
      lines.sort();
      result[table.name] = {
        rows: rows.length,
        sha256: createHash('sha256').update(lines.join('\n')).digest('hex'),
      };
    }
    return result;
  } finally {
    await database.close();
  }
}

async function wipe(url: string, dialect: string) {
  if (dialect === 'sqlite') {
    const file = url.replace(/^(file|sqlite):/, '');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    return;
  }
  const database = createDatabase(url, { poolMax: 1 });
  try {
    await sql`drop schema public cascade`.execute(database.db);
    await sql`create schema public`.execute(database.db);
  } finally {
    await database.close();
  }
}

describeEachDialect('backup.sh and restore.sh', (temp) => {
  const databases: Record<string, TempDatabase> = {};
  let dialect: TempDatabase['dialect'];
  let env: Record<string, string>;
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'platform-backups-'));
    dataDir = mkdtempSync(join(tmpdir(), 'platform-data-'));
    env = { BACKUP_DIR: dir, PLATFORM_DATA_DIR: dataDir, ADMIN_PASSWORD: 'backup-test-horse-battery-7' };
    dialect = temp().dialect;
    databases['oauth-service'] = temp();
    databases['test-service'] = await createTempDatabase(dialect);
    for (const service of SERVICES) env[envKey(service)] = databases[service]!.url;
    const seeded = run('node', ['scripts/db.ts', 'seed'], env);
    expect(seeded.status, seeded.out).toBe(0);
  });
  afterAll(async () => {
    await databases['test-service']?.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Two backups and two restores, each a few node processes: close to the default 20 s on a busy 2-core machine.
  it('backs up every service, and a wiped database comes back identical, row for row', async () => {
    const before: Record<string, Awaited<ReturnType<typeof snapshot>>> = {};
    for (const service of SERVICES) {
      before[service] = await snapshot(databases[service]!.url);
    }
    expect(Object.keys(before['oauth-service']!).length).toBeGreaterThan(5);
    expect(before['oauth-service']!.users!.rows).toBeGreaterThan(0);
    expect(before['test-service']!.items!.rows).toBeGreaterThan(0);

    const backup = run('bash', ['scripts/backup.sh'], env);
    expect(backup.status, backup.out).toBe(0);
    expect(backup.out).toContain('Backup completed');
    const files = readdirSync(dir).sort();
    const extension = dialect === 'postgres' ? 'sql.gz' : 'db.gz';
    for (const service of SERVICES) {
      expect(files).toContainEqual(
        expect.stringMatching(new RegExp(`^${service}_\\d{8}_\\d{6}\\.${extension}$`)),
      );
    }

    for (const service of SERVICES) {
      await wipe(databases[service]!.url, dialect);
      expect(Object.keys(await snapshot(databases[service]!.url))).toEqual([]);
    }

    for (const file of files) {
      const restored = run('bash', ['scripts/restore.sh', join(dir, file), '--force'], env);
      expect(restored.status, restored.out).toBe(0);
    }
    for (const service of SERVICES) {
      expect(await snapshot(databases[service]!.url)).toEqual(before[service]);
    }
  }, 60_000);

  it('refuses a backup of the other dialect, and a damaged file, without touching the database', async () => {
    const service = 'test-service';
    const before = await snapshot(databases[service]!.url);
    const otherKind = dialect === 'postgres' ? 'db' : 'sql';
    const foreign = join(dir, `${service}_20200101_000000.${otherKind}.gz`);
    writeFileSync(foreign, 'not relevant');
    const refused = run('bash', ['scripts/restore.sh', foreign, '--force'], env);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/is a (SQLite|PostgreSQL) backup; DATABASE_URL is/);

    const damaged = join(dir, `${service}_20200101_000001.${dialect === 'postgres' ? 'sql' : 'db'}.gz`);
    writeFileSync(damaged, Buffer.from('1f8b0800000000000003ffff', 'hex'));
    const broken = run('bash', ['scripts/restore.sh', damaged, '--force'], env);
    expect(broken.status).not.toBe(0);
    expect(await snapshot(databases[service]!.url)).toEqual(before);
    rmSync(foreign);
    rmSync(damaged);
  });

  it('keeps BACKUP_RETENTION_DAYS days of backups and deletes nothing else', () => {
    const old = join(dir, 'test-service_20000101_020000.sql.gz');
    const recent = join(dir, 'test-service_20990101_020000.sql.gz');
    const unrelated = join(dir, 'notes.txt');
    for (const file of [old, recent, unrelated]) writeFileSync(file, 'x');
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(old, tenDaysAgo, tenDaysAgo);
    utimesSync(unrelated, tenDaysAgo, tenDaysAgo);

    const result = run('bash', ['scripts/backup.sh', 'test-service'], { ...env, BACKUP_RETENTION_DAYS: '7' });
    expect(result.status, result.out).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(result.out).toContain('deleted (older than 7 days)');

    const bad = run('bash', ['scripts/backup.sh'], { ...env, BACKUP_RETENTION_DAYS: 'seven' });
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain('BACKUP_RETENTION_DAYS must be a whole number');
  });
});
