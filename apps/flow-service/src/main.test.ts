// The service as an operator runs it: `node src/main.ts` with environment variables.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { spawnService } from '@platform/testing';
import { describe, expect, it } from 'vitest';
import { migrate } from './test/harness.ts';

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
  it('names every bad variable on one line', () => {
    const result = runMain({
      FLOW_WORKER_CONCURRENCY: 'lots',
      FLOW_CLIENT_SECRET: 'short',
      FLOW_APPROVAL_DEFAULT: 'maybe',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: /);
    expect(lines[0]).toMatch(/FLOW_CLIENT_SECRET: must be at least 32 characters/);
    expect(lines[0]).toMatch(/FLOW_WORKER_CONCURRENCY: /);
    expect(lines[0]).toMatch(/FLOW_APPROVAL_DEFAULT: /);
  });

  it('reads the client secret from FLOW_CLIENT_SECRET_FILE and stops when that file is missing', () => {
    const result = runMain({ FLOW_CLIENT_SECRET_FILE: '/nonexistent/flow-client-secret' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'invalid configuration: FLOW_CLIENT_SECRET_FILE: cannot read /nonexistent/flow-client-secret (ENOENT); run pnpm db:seed',
    );
  });

  it('refuses to start on a database that is not migrated, saying what to run', () => {
    const result = runMain({ DATABASE_URL: 'file::memory:' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'database is not migrated (pending: 0001_flow, 0002_definition_author_scopes, 0003_run_created_by_name, 0004_run_acting_users); run pnpm db:push',
    );
  });
});

describeEachDialect('flow-service process', (temp) => {
  it('serves, then drains and exits 0 on SIGTERM', async () => {
    await migrate(temp().url);
    const service = await spawnService({
      cwd: SERVICE_DIR,
      entry: 'src/main.ts',
      env: { DATABASE_URL: temp().url, HOST: '127.0.0.1' },
      readyPath: '/ready',
    });
    expect(await (await fetch(`${service.url}/ready`)).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
    const metadata = await fetch(`${service.url}/.well-known/oauth-protected-resource/flow`);
    expect(((await metadata.json()) as { resource: string }).resource).toBe('http://localhost:8080/flow');
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    // Without a client secret the service still starts, and says what http steps will lack.
    expect(service.output().join('\n')).toMatch(/FLOW_CLIENT_SECRET is not set/);
  });
});
