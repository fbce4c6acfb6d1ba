// The platform started by the README's first command survives the death of one component: `kill -9` of
// oauth-service's process brings it back healthy within seconds, while test-service and the gateway keep
// answering throughout (polled every 100 ms); Ctrl-C afterwards still stops everything cleanly. One run on
// the default SQLite databases: this is about processes, not SQL.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFixedPorts } from '../fixed-ports-lock.ts';
import { type PlatformProcess, startPlatform } from '../platform-process.ts';

const OAUTH_HEALTH = 'http://127.0.0.1:3001/health';
const WATCHED = {
  'test-service /health': 'http://127.0.0.1:3005/health',
  'gateway /healthz': 'http://localhost:8080/healthz',
};

/** The pid of the process listening on a loopback TCP port, from /proc (no launcher cooperation needed). */
function pidListeningOn(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      // local_address is ADDR:PORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') inodes.add(`socket:[${fields[9]}]`);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** Polls each URL every 100 ms until stopped; returns the failures seen. */
function watch(urls: Record<string, string>) {
  const failures: string[] = [];
  let polls = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await Promise.all(
        Object.entries(urls).map(async ([name, url]) => {
          if (!(await answers(url))) failures.push(`${name} at +${started}`);
        }),
      );
      polls += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { failures, polls };
    },
  };
}

describe('the launcher supervises its components', () => {
  let dataDir: string;
  let platform: PlatformProcess;
  let releasePorts: (() => void) | undefined;

  beforeAll(async () => {
    releasePorts = await acquireFixedPorts();
    dataDir = mkdtempSync(join(tmpdir(), 'platform-supervision-'));
    platform = startPlatform({ PLATFORM_DATA_DIR: dataDir, ADMIN_PASSWORD: 'e2e-correct-horse-battery-7' });
    await platform.waitFor(/Press Ctrl-C to stop/);
  }, 16 * 60_000);

  afterAll(async () => {
    await platform?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    releasePorts?.();
  });

  it('restarts oauth-service after kill -9 within seconds while the others keep answering', async () => {
    const victim = pidListeningOn(3001);
    expect(victim).not.toBeNull();
    const watcher = watch(WATCHED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(victim!, 'SIGKILL');
    const killedAt = Date.now();
    let back = false;
    while (!back && Date.now() - killedAt < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = (await answers(OAUTH_HEALTH)) && pidListeningOn(3001) !== victim;
    }
    const backAfterMs = Date.now() - killedAt;
    // Keep watching a little after the restart too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { failures, polls } = await watcher.stop();
    expect(back, `oauth-service not back after 15 s; output:\n${platform.output().slice(-4000)}`).toBe(true);
    expect(backAfterMs).toBeLessThan(15_000);
    expect(polls).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    expect(platform.output()).toMatch(
      /oauth-service exited unexpectedly \(SIGKILL\); restarting it in 0\.5 s/,
    );
    expect(platform.child.exitCode).toBeNull();
  }, 60_000);

  it('still stops everything cleanly on Ctrl-C', async () => {
    const oauth = pidListeningOn(3001);
    const exit = await platform.stop('SIGINT');
    expect(exit.code).toBe(0);
    expect(platform.output()).toContain('all components stopped');
    expect(pidListeningOn(3001)).toBeNull();
    expect(pidListeningOn(3005)).toBeNull();
    expect(() => process.kill(oauth!, 0)).toThrow();
  }, 30_000);
});
