import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// A native program (the gateway, Prometheus, node-exporter) run for a test; @platform/testing's
// spawnService covers `node <entry>` services only.

export interface NativeProcess {
  readonly name: string;
  /** The last lines of stdout and stderr (bounded: a chatty process cannot fill memory). */
  output(): string;
  stop(): Promise<void>;
}

const KEPT_LINES = 300;

// Children still running when the test process exits are killed, so a crashed test cannot leak servers.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startNative(options: {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the process is ready. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<NativeProcess> {
  const lines: string[] = [];
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    });
  }
  let exited = false;
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  child.once('error', () => {});
  const handle: NativeProcess = {
    name: options.name,
    output: () => lines.join('\n'),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await closed;
      clearTimeout(kill);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!exited && Date.now() < deadline) {
    if (await options.ready().catch(() => false)) return handle;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.stop();
  throw new Error(
    `${options.name} ${exited ? 'exited' : 'did not become ready'} (${options.command} ${options.args.join(' ')})\n${handle.output()}`,
  );
}
