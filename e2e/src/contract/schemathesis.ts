// Runs the Schemathesis CLI (installed by scripts/test.sh into .toolchain/schemathesis) against one
// OpenAPI document and hands back its exit code and output.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContractTarget } from './platform.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const ST = join(ROOT, '.toolchain', 'schemathesis', 'bin', 'st');
/**
 * Every check, and the per-operation exceptions, each with its reason. The checks are selected there rather
 * than with `--checks all`, which would override the exceptions.
 */
export const CONFIG = join(import.meta.dirname, 'schemathesis.toml');

export interface RunBudget {
  /** Test cases per operation and phase. */
  maxExamples: number;
  /** Seconds for the whole run of one document. */
  maxTimeSeconds: number;
}

export interface StResult {
  code: number | null;
  output: string;
}

export function runSchemathesis(target: ContractTarget, budget: RunBudget): Promise<StResult> {
  if (!existsSync(ST)) {
    throw new Error(`${ST} is missing: scripts/test.sh installs it (scripts/lib/schemathesis.sh)`);
  }
  const args = [
    '--no-color',
    '--config-file',
    CONFIG,
    'run',
    target.openapiUrl,
    '--url',
    target.baseUrl,
    '--header',
    `Authorization: Bearer ${target.token}`,
    '--max-examples',
    String(budget.maxExamples),
    '--max-time',
    String(budget.maxTimeSeconds),
    '--request-timeout',
    '10',
    '--workers',
    '1',
    ...(target.phases ? ['--phases', target.phases.join(',')] : []),
  ];
  // A private working directory: whatever st keeps between runs stays out of the repository.
  const cwd = mkdtempSync(join(tmpdir(), 'schemathesis-'));
  return new Promise<StResult>((resolve, reject) => {
    const child = spawn(ST, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: output.replaceAll(target.token, '[token]') }));
  }).finally(() => rmSync(cwd, { recursive: true, force: true }));
}
