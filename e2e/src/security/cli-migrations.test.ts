// The operator commands that open oauth-service's database (`pnpm admin:recover`, `pnpm keys:rotate`) refuse
// a schema older than the code, as the service does at start-up: one line naming the pending migrations and
// the command that applies them, no stack trace, nothing written.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describeEachDialect('operator commands on an unmigrated database', (temp) => {
  function run(script: string, ...args: string[]) {
    return spawnSync(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, OAUTH_SERVICE_DATABASE_URL: temp().url },
      encoding: 'utf8',
    });
  }

  it.each([
    ['admin:recover', 'scripts/admin-recover.ts', ['admin']],
    ['keys:rotate', 'scripts/keys.ts', []],
  ])('%s refuses, naming the pending migrations and pnpm db:push', (_name, script, args) => {
    const result = run(script, ...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/database is not migrated \(pending: 0001_[a-z_]+, .*\); run pnpm db:push/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });
});
