// Starts every component of the platform in the foreground with prefixed logs, announces the URLs and
// seeded accounts once all are healthy, and stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM.
// `--watch` (pnpm dev) restarts a component when its sources change, through `node --watch`.
// A component that dies is restarted with back-off while the others keep serving (lib/supervisor.ts); only
// one that crashes 5 times within a minute stops the platform, naming it and quoting its last log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Component, componentEnv, components, ROOT, seededAccounts } from './components.ts';
import { Supervisor } from './lib/supervisor.ts';

const watch = process.argv.includes('--watch');
const COLORS = [36, 35, 33, 32, 34, 91];
const STOP_GRACE_MS = 10_000;
const HEALTH_TIMEOUT_MS = 60_000;

const width = Math.max(...components.map((c) => c.name.length));
const prefix = (c: Component, i: number) =>
  `\u001b[${COLORS[i % COLORS.length]}m${c.name.padEnd(width)} |\u001b[0m `;
const say = (line: string) =>
  process.stdout.write(`\u001b[1m${'platform'.padEnd(width)} |\u001b[0m ${line}\n`);

let stopping = false;

function spawnComponent(component: Component): ChildProcess {
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
  return spawn(program, args, {
    cwd: `${ROOT}/${component.dir}`,
    env: componentEnv(component, process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const prefixes = new Map(components.map((c, i) => [c.name, prefix(c, i)]));
const supervisor = new Supervisor({
  onLine: (name, line) => process.stdout.write(`${prefixes.get(name)}${line}\n`),
  say,
  onGiveUp: () => void stopAll(1),
});

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
  await supervisor.stop('SIGTERM', STOP_GRACE_MS);
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

for (const component of components)
  supervisor.start({ name: component.name, spawn: () => spawnComponent(component) });
try {
  await Promise.all(components.map(waitHealthy));
  if (!stopping) banner();
} catch (error) {
  say((error as Error).message);
  await stopAll(1);
}
