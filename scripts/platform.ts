// Starts every component of the platform in the foreground with prefixed logs, announces the URLs and
// seeded accounts once all are healthy, and stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM.
// `--watch` (pnpm dev) restarts a component when its sources change, through `node --watch`.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Component, componentEnv, components, ROOT, seededAccounts } from './components.ts';

const watch = process.argv.includes('--watch');
const COLORS = [36, 35, 33, 32, 34, 91];
const STOP_GRACE_MS = 10_000;
const HEALTH_TIMEOUT_MS = 60_000;

const width = Math.max(...components.map((c) => c.name.length));
const prefix = (c: Component, i: number) =>
  `\u001b[${COLORS[i % COLORS.length]}m${c.name.padEnd(width)} |\u001b[0m `;
const say = (line: string) =>
  process.stdout.write(`\u001b[1m${'platform'.padEnd(width)} |\u001b[0m ${line}\n`);

const children = new Map<string, ChildProcess>();
let stopping = false;

function start(component: Component, index: number): ChildProcess {
  const [program, args] = component.command
    ? [`${ROOT}/${component.dir}/${component.command.path}`, component.command.args]
    : [
        process.execPath,
        [
          ...(component.nodeFlags ?? []),
          ...(watch ? ['--watch', '--watch-preserve-output'] : []),
          component.entry,
          ...((watch ? component.watchArgs : component.args) ?? component.args ?? []),
        ],
      ];
  const child = spawn(program, args, {
    cwd: `${ROOT}/${component.dir}`,
    env: componentEnv(component, process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) =>
      process.stdout.write(`${prefix(component, index)}${line}\n`),
    );
  }
  child.on('exit', (code, signal) => {
    children.delete(component.name);
    if (stopping) return;
    say(`${component.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the platform`);
    void stopAll(1);
  });
  children.set(component.name, child);
  return child;
}

async function waitHealthy(component: Component): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  const url = `http://127.0.0.1:${component.port}${component.healthPath}`;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`${component.name} did not answer ${url} within ${HEALTH_TIMEOUT_MS / 1000}s`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  const exits = [...children.values()].map(
    (child) =>
      new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
      ),
  );
  for (const child of children.values()) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  await Promise.all(exits);
  clearTimeout(timer);
  say('all components stopped');
  process.exit(exitCode);
}

function banner(): void {
  const lines = ['', 'The platform is up.', ''];
  for (const component of components) {
    lines.push(`  ${component.name} (port ${component.port})`);
    for (const { label, url } of component.urls) lines.push(`    ${label.padEnd(32)} ${url}`);
  }
  lines.push('');
  if (seededAccounts.length === 0)
    lines.push('  Seeded accounts: none yet (they arrive with oauth-service).');
  else for (const account of seededAccounts) lines.push(`  ${account.who.padEnd(24)} ${account.credentials}`);
  lines.push('', watch ? 'Watching for changes. Press Ctrl-C to stop.' : 'Press Ctrl-C to stop.', '');
  for (const line of lines) say(line);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

components.forEach(start);
try {
  await Promise.all(components.map(waitHealthy));
  if (!stopping) banner();
} catch (error) {
  say((error as Error).message);
  await stopAll(1);
}
