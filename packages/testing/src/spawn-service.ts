import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { freePort } from './free-port.ts';

export interface SpawnServiceOptions {
  /** Working directory of the child; `entry` is resolved against it. */
  cwd: string;
  /** The `.ts` (or `.js`) file Node runs, e.g. `src/main.ts`. */
  entry: string;
  /** Node/V8 flags before the entry (a component's `nodeFlags` in scripts/components.ts). */
  nodeFlags?: string[];
  /** Added to the inherited environment; `undefined` removes a variable. `PORT` is set for you. */
  env?: Record<string, string | undefined>;
  /** Path polled until it answers 200. Default `/health`. */
  readyPath?: string;
  /** How long to wait for readiness before killing the child. Default 20 s. */
  timeoutMs?: number;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every stdout and stderr line so far, in arrival order. */
  output(): string[];
  /** Sends `signal` and resolves with how the child ended; SIGKILLs it if it has not exited after `killAfterMs`. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<ExitResult>;
  readonly process: ChildProcess;
}

const POLL_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 1_000;
// Error messages quote the tail of the output; a chatty service should not bury the test report.
const OUTPUT_LINES_IN_ERRORS = 200;

// Children still running when the test process exits are killed, so a failed test cannot leak servers.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackForCleanup(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL');
  });
}

/** Resolves with the status code of a GET, or null if the service did not answer in time. */
function probe(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    // agent: false so no pooled keep-alive socket outlives the probe.
    const req = request(url, { method: 'GET', agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(null));
    req.end();
  });
}

function captureLines(stream: Readable | null, lines: string[]): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
    lines.push(line),
  );
}

function childEnv(env: Record<string, string | undefined>, port: number): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

/**
 * Starts a service the way a user does (`node <entry>` with PORT in the environment) and resolves once
 * `readyPath` answers 200. Fails with the captured output if the service exits first or takes too long.
 */
export async function spawnService(options: SpawnServiceOptions): Promise<SpawnedService> {
  const { cwd, entry, nodeFlags = [], env = {}, readyPath = '/health', timeoutMs = 20_000 } = options;
  if (!readyPath.startsWith('/'))
    throw new TypeError(`spawnService: readyPath must start with "/", got "${readyPath}"`);
  // An explicit PORT wins, for tests that need a known port; otherwise ask the OS for a free one.
  const port = env.PORT !== undefined ? Number(env.PORT) : await freePort();
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new TypeError(`spawnService: bad PORT ${env.PORT}`);
  const url = `http://127.0.0.1:${port}`;

  const lines: string[] = [];
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd,
    env: childEnv(env, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackForCleanup(child);
  captureLines(child.stdout, lines);
  captureLines(child.stderr, lines);

  let exitResult: ExitResult | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitResult>((resolve) => {
    // 'close' rather than 'exit': by then both pipes are drained, so output() is complete.
    child.once('close', (code, signal) => {
      exitResult = { code, signal };
      resolve(exitResult);
    });
    child.once('error', (error) => {
      spawnError = error;
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) {
        exitResult = { code: null, signal: null };
        resolve(exitResult);
      }
    });
  });

  const describeFailure = (what: string) => {
    const tail = lines.slice(-OUTPUT_LINES_IN_ERRORS);
    return new Error(
      `spawnService: ${entry} (cwd ${cwd}) ${what}.\n--- output (${lines.length} lines) ---\n${tail.join('\n')}`,
      spawnError ? { cause: spawnError } : undefined,
    );
  };

  async function stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<ExitResult> {
    if (exitResult) return exitResult;
    child.kill(signal);
    const escalation = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    try {
      return await exited;
    } finally {
      clearTimeout(escalation);
    }
  }

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitResult) {
      const how = spawnError
        ? `could not be started (${spawnError.message})`
        : `exited (code ${exitResult.code}, signal ${exitResult.signal}) before ${readyPath} answered 200`;
      throw describeFailure(how);
    }
    if (Date.now() >= deadline) {
      await stop('SIGKILL');
      throw describeFailure(`did not answer 200 on ${readyPath} within ${timeoutMs} ms`);
    }
    if ((await probe(`${url}${readyPath}`)) === 200) break;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
  }

  return { url, port, output: () => [...lines], stop, process: child };
}
