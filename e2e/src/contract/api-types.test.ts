// The console's generated API types match the OpenAPI documents the services publish: a schema edited
// without `pnpm api:types` fails here, naming the stale file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'api-types.ts');
const GENERATED = join(ROOT, 'apps', 'admin-portal', 'src', 'lib', 'api', 'generated');

const check = (...args: string[]) =>
  spawnSync(process.execPath, [SCRIPT, '--check', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });

describe('pnpm api:types --check', () => {
  const copy = mkdtempSync(join(tmpdir(), 'api-types-check-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('passes: the committed files are what the services publish', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  it('fails naming the file that differs from its service document', () => {
    cpSync(GENERATED, copy, { recursive: true });
    appendFileSync(join(copy, 'flow.ts'), '// edited by hand\n');
    const result = check('--out', copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('flow.ts is stale');
    expect(result.stderr).not.toContain('kline.ts');
  }, 120_000);
});
