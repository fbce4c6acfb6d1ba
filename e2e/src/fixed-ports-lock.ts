import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The suites that start the whole platform (start.test.ts, the console's browser test) bind the same fixed
// ports (8080, 3001-3006) and share the build output; Vitest runs test files in parallel, so they take
// turns through this lock: a directory created atomically, holding the owner's pid so a lock left by a
// killed run is taken over.

const LOCK = join(tmpdir(), 'oauth-platform-fixed-ports.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function acquireFixedPorts(timeoutMs = 15 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        // created but pid not written yet: wait
      }
      if (Number.isInteger(owner) && owner !== process.pid && !alive(owner)) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the fixed platform ports stayed taken (lock ${LOCK})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
