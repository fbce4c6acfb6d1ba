import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/testing';
import { ROOT } from '../platform-process.ts';

const GATEWAY_DIR = join(ROOT, 'apps/pingora-proxy');
/** Built by scripts/test.sh (and scripts/start.sh) before the suites run. */
const GATEWAY_BIN = join(GATEWAY_DIR, 'target/debug/pingora-proxy');

export interface Gateway {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
  readonly child: ChildProcess;
}

/**
 * The gateway with the shipped config/default.yaml, on a free port (its only change), upstreams overridden by
 * environment variables the way the runbook (docs/operations.md) scales out (`UPSTREAM_OAUTH_1=host:port`, ...).
 */
export async function startGateway(env: Record<string, string>, port?: number): Promise<Gateway> {
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gateway-'));
  const shipped = readFileSync(join(GATEWAY_DIR, 'config/default.yaml'), 'utf8');
  const config = shipped.replace(/bind_address: "0\.0\.0\.0:8080"/, `bind_address: "127.0.0.1:${port}"`);
  if (config === shipped) throw new Error('config/default.yaml no longer has bind_address "0.0.0.0:8080"');
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, config);

  const child = spawn(GATEWAY_BIN, ['--config', configFile], {
    cwd: GATEWAY_DIR,
    env: { ...process.env, RUST_LOG: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Bounded: the access log is on in default.yaml and goes to stdout.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => child.kill('SIGKILL'));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not answer /healthz:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
