// The launcher's supervision rule (scripts/lib/supervisor.ts) with tiny fake components: a component that
// dies is restarted with a doubling back-off while the others keep running; one that crashes five times
// within a minute is given up on, naming it and quoting its last 20 log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { Supervisor, type SupervisorOptions } from '../../../scripts/lib/supervisor.ts';

const node = (code: string): ChildProcess =>
  spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
const LONG_RUNNING = 'setInterval(() => {}, 1000); console.log("serving")';

let supervisor: Supervisor | null = null;
afterEach(async () => {
  await supervisor?.stop('SIGKILL', 0);
  supervisor = null;
});

function supervise(options: Partial<SupervisorOptions> = {}) {
  const said: string[] = [];
  const gaveUp: Array<{ name: string; lastLines: readonly string[] }> = [];
  let resolveGiveUp: () => void = () => {};
  const givenUp = new Promise<void>((resolve) => {
    resolveGiveUp = resolve;
  });
  supervisor = new Supervisor({
    onLine: () => {},
    say: (line) => said.push(line),
    onGiveUp: (name, lastLines) => {
      gaveUp.push({ name, lastLines });
      resolveGiveUp();
    },
    initialBackoffMs: 10,
    maxBackoffMs: 40,
    ...options,
  });
  return { supervisor, said, gaveUp, givenUp };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('gives up on a component that exits immediately 5 times within a minute, with its name and last 20 lines', async () => {
  const { supervisor, said, gaveUp, givenUp } = supervise();
  let starts = 0;
  supervisor.start({
    name: 'crasher',
    spawn: () => {
      starts += 1;
      return node(
        `for (let i = 1; i <= 25; i++) console.log('line ' + i); console.error('fatal: port taken (run ${starts})'); process.exit(3)`,
      );
    },
  });
  supervisor.start({ name: 'steady', spawn: () => node(LONG_RUNNING) });
  await givenUp;
  expect(starts).toBe(5);
  expect(gaveUp).toHaveLength(1);
  expect(gaveUp[0]!.name).toBe('crasher');
  expect(gaveUp[0]!.lastLines).toHaveLength(20);
  expect(gaveUp[0]!.lastLines.at(-1)).toBe('fatal: port taken (run 5)');
  expect(gaveUp[0]!.lastLines[0]).toBe('line 7');
  expect(said).toContain(
    'crasher exited unexpectedly (code 3), 5 times within 60 s; stopping the platform. Its last log lines:',
  );
  expect(said).toContain('  crasher | fatal: port taken (run 5)');
  // The back-off doubled between restarts, capped at the maximum.
  const delays = said.flatMap((line) => /^crasher .*restarting it in ([\d.]+) s/.exec(line)?.[1] ?? []);
  expect(delays).toEqual(['0.01', '0.02', '0.04', '0.04']);
  // The other component was never touched.
  expect(said.filter((line) => line.startsWith('steady started'))).toHaveLength(1);
  expect(supervisor.child('steady')?.exitCode).toBeNull();
});

it('restarts a killed component while the others keep running, and does not give up', async () => {
  const { supervisor, said, gaveUp } = supervise();
  supervisor.start({ name: 'victim', spawn: () => node(LONG_RUNNING) });
  supervisor.start({ name: 'bystander', spawn: () => node(LONG_RUNNING) });
  await until(() => supervisor.child('victim')?.pid !== undefined);
  const bystander = supervisor.child('bystander')!;
  const first = supervisor.child('victim')!;
  first.kill('SIGKILL');
  await until(() => {
    const now = supervisor.child('victim');
    return now !== null && now !== first && now.pid !== undefined;
  });
  expect(said).toContain(
    'victim exited unexpectedly (SIGKILL); restarting it in 0.01 s (crash 1 within 60 s; 5 stop the platform)',
  );
  expect(
    said.some((line) => line.startsWith(`victim started (pid ${supervisor.child('victim')!.pid})`)),
  ).toBe(true);
  expect(supervisor.child('bystander')).toBe(bystander);
  expect(bystander.exitCode).toBeNull();
  expect(gaveUp).toEqual([]);
});

it('does not count crashes older than the window', async () => {
  let clock = 0;
  const { supervisor, gaveUp } = supervise({ now: () => clock });
  let starts = 0;
  supervisor.start({
    name: 'occasional',
    spawn: () => {
      starts += 1;
      // Each crash happens 20 s after the previous one: never 5 within a minute.
      clock += 20_000;
      return node(starts <= 8 ? 'process.exit(1)' : LONG_RUNNING);
    },
  });
  await until(() => starts >= 9);
  expect(gaveUp).toEqual([]);
});

it('stops every child on stop() and restarts none afterwards', async () => {
  const { supervisor, said } = supervise();
  supervisor.start({ name: 'a', spawn: () => node(LONG_RUNNING) });
  supervisor.start({ name: 'b', spawn: () => node(LONG_RUNNING) });
  await until(() => supervisor.child('a')?.pid !== undefined && supervisor.child('b')?.pid !== undefined);
  const children = [supervisor.child('a')!, supervisor.child('b')!];
  await supervisor.stop('SIGTERM', 5_000);
  expect(children.map((child) => child.signalCode)).toEqual(['SIGTERM', 'SIGTERM']);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(said.filter((line) => line.includes('restarting'))).toEqual([]);
});
