// The service as an operator runs it: `node src/main.ts` with environment variables.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { spawnService } from '@platform/testing';
import { describe, expect, it } from 'vitest';
import { migrations } from './db/migrations.ts';

const SERVICE_DIR = join(import.meta.dirname, '..');

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ['src/main.ts'], {
    cwd: SERVICE_DIR,
    env: { ...process.env, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('start-up errors', () => {
  it('exits non-zero with one line naming DATABASE_URL when it is nonsense', () => {
    const result = runMain({ DATABASE_URL: 'nonsense' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: DATABASE_URL: /);
  });

  it('names every bad variable, e.g. a non-numeric PORT and a bad PUBLIC_URL', () => {
    const result = runMain({ PORT: 'eighty', PUBLIC_URL: 'not a url' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT: .*PUBLIC_URL: /);
  });

  it('refuses to start on a database that is not migrated, saying what to run', () => {
    const result = runMain({ DATABASE_URL: 'file::memory:' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'database is not migrated (pending: 0001_items, 0002_item_actor); run pnpm db:push',
    );
  });
});

describeEachDialect('test-service process', (temp) => {
  it('serves, then drains and exits 0 on SIGTERM', async () => {
    const database = createDatabase(temp().url);
    await migrateToLatest(database, migrations);
    await database.close();
    const service = await spawnService({
      cwd: SERVICE_DIR,
      entry: 'src/main.ts',
      env: { DATABASE_URL: temp().url, HOST: '127.0.0.1' },
      readyPath: '/ready',
    });
    const ready = await fetch(`${service.url}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(service.output().join('\n')).toMatch(/shutting down/);
  });
});
