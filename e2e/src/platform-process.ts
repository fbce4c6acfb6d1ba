import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface PlatformProcess {
  output(): string;
  /** Resolves when a line matching `pattern` appears; rejects if the process exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` (Ctrl-C is SIGINT) and resolves with the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;
}

/** Runs the first README command (`bash scripts/start.sh`) the way a user does, from the repo root. */
export function startPlatform(env: Record<string, string>): PlatformProcess {
  // Its own process group, so a forced stop reaches the launcher's children too: a SIGKILLed launcher
  // cannot stop them itself, and survivors would hold the fixed ports for the next test.
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      // Strip colours so assertions read plain text.
      lines.push(stripVTControlCharacters(line));
      for (const check of waiters) check();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  process.once('exit', killGroup);

  return {
    child,
    output: () => lines.join('\n'),
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${lines.slice(-80).join('\n')}`));
        }, timeoutMs);
        const check = () => {
          if (!lines.some((line) => pattern.test(line))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
        void exited.then(() => {
          if (!waiters.has(check)) return;
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`start.sh exited before ${pattern}; output:\n${lines.slice(-80).join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGINT') {
      if (signal === 'SIGKILL') killGroup();
      else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
