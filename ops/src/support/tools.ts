import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './repo.ts';

// Debian's prometheus / prometheus-node-exporter binaries, put into .toolchain/prometheus by
// scripts/lib/prometheus.sh (ensure_prometheus, run by scripts/test.sh). Missing binaries fail the tests
// with the command that installs them: nothing is skipped.
const BIN_DIRS = [process.env.PROMETHEUS_BIN_DIR, join(ROOT, '.toolchain/prometheus/usr/bin'), '/usr/bin'];

export function tool(name: 'prometheus' | 'promtool' | 'prometheus-node-exporter'): string {
  for (const dir of BIN_DIRS) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `${name} not found in ${BIN_DIRS.filter(Boolean).join(', ')}: run ` +
      `bash -c 'source scripts/lib/toolchain.sh; source scripts/lib/prometheus.sh; ensure_prometheus'`,
  );
}

export const GATEWAY_BIN = join(ROOT, 'apps/pingora-proxy/target/debug/pingora-proxy');

export function gatewayBinary(): string {
  if (!existsSync(GATEWAY_BIN)) {
    throw new Error(`${GATEWAY_BIN} is missing: build it with (cd apps/pingora-proxy && cargo build)`);
  }
  return GATEWAY_BIN;
}

export interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a program to completion; stdout and stderr together, for assertions and failure messages. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` } satisfies RunResult;
}
