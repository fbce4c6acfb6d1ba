import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, sql } from './index.ts';

// A SQLite database holds password hashes, emails and token ids: whatever the process umask, the opener
// creates it (and SQLite its -wal and -shm) readable by the owner only, in a directory only the owner can
// enter when the opener creates that directory.

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

describe('SQLite database files', () => {
  let root: string;
  let umask: number;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'db-modes-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    // The usual umask of a login shell or a service manager: without explicit modes, files come out 0644.
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
  });

  async function writeSomething(file: string) {
    const database = createDatabase(`file:${file}`);
    try {
      await sql`create table if not exists t (id integer primary key, v text)`.execute(database.db);
      await sql`insert into t (v) values ('secret')`.execute(database.db);
      // Still open: the write-ahead log and shared-memory files exist now.
      return ['', '-wal', '-shm'].map((suffix) => {
        expect(existsSync(`${file}${suffix}`), `${file}${suffix}`).toBe(true);
        return mode(`${file}${suffix}`);
      });
    } finally {
      await database.close();
    }
  }

  it('a new database and its -wal and -shm are 0600, in a new directory made 0700', async () => {
    const dir = join(root, 'fresh', 'data');
    const file = join(dir, 'service.db');
    expect(await writeSomething(file)).toEqual(['0600', '0600', '0600']);
    expect(mode(dir)).toBe('0700');
    expect(mode(join(root, 'fresh'))).toBe('0700');
  });

  it('an existing directory keeps its mode (it may not be ours to change)', async () => {
    const dir = mkdtempSync(join(root, 'shared-'));
    chmodSync(dir, 0o755);
    expect(await writeSomething(join(dir, 'service.db'))).toEqual(['0600', '0600', '0600']);
    expect(mode(dir)).toBe('0755');
  });

  it('an existing world-readable database is tightened to 0600 when opened', async () => {
    const dir = mkdtempSync(join(root, 'old-'));
    const file = join(dir, 'service.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    expect(await writeSomething(file)).toEqual(['0600', '0600', '0600']);
  });

  it('an in-memory database creates no file', async () => {
    const database = createDatabase('file::memory:');
    await sql`select 1`.execute(database.db);
    await database.close();
    expect(existsSync(':memory:')).toBe(false);
  });
});
