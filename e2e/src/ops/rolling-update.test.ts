// scripts/rolling-update.sh against the scale-out topology: two oauth-service instances on one PostgreSQL
// behind the gateway, each restarted in turn (stop, start, /ready, healthy at the gateway) while token requests
// run through the gateway. Not one may fail. Also the script's refusals.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, OAUTH_DIR, PORTAL_SECRET } from '../oauth/harness.ts';
import { ROOT } from '../platform-process.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { requestMachineToken } from './machine-token.ts';

const SCRIPT = join(ROOT, 'scripts/rolling-update.sh');

function runScript(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const readyAt = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/ready`).then(
    (r) => r.status === 200,
    () => false,
  );

describe('scripts/rolling-update.sh', () => {
  let database: TempDatabase;
  let gateway: Gateway;
  let dir: string;
  let machineSecret: string;
  const ports: number[] = [];
  // The way an operator's process manager would run an instance: env file, pid file, log file.
  const startCmd = () =>
    `cd ${OAUTH_DIR} && set -a && . ${dir}/{name}.env && set +a && { nohup node src/main.ts > ${dir}/{name}.log 2>&1 & echo $! > ${dir}/{name}.pid; }`;
  const stopCmd = () => `kill $(cat ${dir}/{name}.pid)`;
  const pidOf = (name: string) => readFileSync(join(dir, `${name}.pid`), 'utf8').trim();

  beforeAll(async () => {
    database = await createTempDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'rolling-'));
    const gatewayPort = await freePort();
    const issuer = `http://127.0.0.1:${gatewayPort}`;
    const env = (port: number) => ({
      DATABASE_URL: database.url,
      PUBLIC_URL: issuer,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: ADMIN.password,
      OAUTH_CLIENT_SECRET: PORTAL_SECRET,
      ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
      // As in production (the default there): keep serving 2 s after SIGTERM, closing each connection.
      SHUTDOWN_DRAIN_DELAY_MS: '2000',
    });
    ports.push(await freePort(), await freePort());
    const seeded = spawnSync(process.execPath, ['src/db/cli.ts', 'seed'], {
      cwd: OAUTH_DIR,
      env: { ...process.env, ...env(ports[0]!) },
      encoding: 'utf8',
    });
    expect(seeded.status, seeded.stderr).toBe(0);
    machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(seeded.stdout)?.[1] ?? '';
    expect(machineSecret).not.toBe('');

    for (const [i, port] of ports.entries()) {
      const name = `oauth-${i + 1}`;
      writeFileSync(
        join(dir, `${name}.env`),
        Object.entries(env(port))
          .map(([k, v]) => `${k}='${v}'`)
          .join('\n'),
      );
      const started = spawnSync('bash', ['-c', startCmd().replaceAll('{name}', name)]);
      expect(started.status).toBe(0);
    }
    for (const port of ports) {
      const deadline = Date.now() + 30_000;
      while (!(await readyAt(port))) {
        if (Date.now() > deadline)
          throw new Error(
            `instance on ${port} not ready:\n${readFileSync(join(dir, 'oauth-1.log'), 'utf8')}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    gateway = await startGateway(
      { UPSTREAM_OAUTH_1: `127.0.0.1:${ports[0]}`, UPSTREAM_OAUTH_2: `127.0.0.1:${ports[1]}` },
      gatewayPort,
    );
  });

  afterAll(async () => {
    for (const name of ['oauth-1', 'oauth-2'])
      spawnSync('bash', ['-c', `kill $(cat ${dir}/${name}.pid) 2>/dev/null`]);
    await gateway?.stop();
    await new Promise((r) => setTimeout(r, 500));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts both instances one at a time and loses no request', async () => {
    const instances = ports.flatMap((port, i) => ['--instance', `oauth-${i + 1}=127.0.0.1:${port}`]);
    const before = ['oauth-1', 'oauth-2'].map(pidOf);

    let updating = true;
    const failures: string[] = [];
    let served = 0;
    async function worker() {
      while (updating) {
        const failure = await requestMachineToken(gateway.url, machineSecret);
        if (failure) failures.push(failure);
        else served += 1;
      }
    }
    const load = Promise.all(Array.from({ length: 4 }, worker));
    const result = await runScript([
      ...instances,
      '--stop',
      stopCmd(),
      '--start',
      startCmd(),
      '--gateway',
      gateway.url,
      '--timeout',
      '60',
    ]);
    updating = false;
    await load;

    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('oauth-1: back and taking traffic');
    expect(result.out).toContain('oauth-2: back and taking traffic');
    expect(result.out.indexOf('oauth-1: back')).toBeLessThan(result.out.indexOf('oauth-2 (127.0.0.1'));
    const after = ['oauth-1', 'oauth-2'].map(pidOf);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(failures, failures.length ? gateway.output().slice(-5_000) : '').toEqual([]);
    expect(served).toBeGreaterThan(100);
  }, 180_000);

  it('refuses bad arguments, and stops at an instance that does not come back', async () => {
    expect((await runScript([])).out).toContain('no --instance given');
    const bad = await runScript(['--instance', 'nonsense', '--stop', 'true', '--start', 'true']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("--instance must be NAME=HOST:PORT, not 'nonsense'");

    // An instance whose start command starts nothing: the script waits for /ready, gives up, and never touches
    // the second instance.
    const port = await freePort();
    const stuck = await runScript([
      '--instance',
      `ghost=127.0.0.1:${port}`,
      '--instance',
      `oauth-2=127.0.0.1:${ports[1]}`,
      '--stop',
      'true',
      '--start',
      'true',
      '--timeout',
      '2',
    ]);
    expect(stuck.code).not.toBe(0);
    expect(stuck.out).toContain('ghost: /ready did not answer 200 within 2s');
    expect(stuck.out).not.toContain('oauth-2 (');
    expect(await readyAt(ports[1]!)).toBe(true);
  });
});
