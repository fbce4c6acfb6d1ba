import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type SpawnedService, spawnService } from '@platform/testing';
import { parse, stringify } from 'yaml';
import { httpsRequest } from './https.ts';
import { type NativeProcess, startNative } from './process.ts';
import { repoPath } from './repo.ts';
import { gatewayBinary, tool } from './tools.ts';

// The platform as the monitoring tests need it running on loopback: oauth-service, test-service (and
// kline-service / flow-service once they exist), the gateway (production.yaml with TLS, its upstreams
// pointed at the services with UPSTREAM_* overrides) and node-exporter. Every port is free-picked;
// databases are temporary SQLite files (nothing here is SQL-specific: the services' own suites cover
// both dialects).

/** A scrape target of monitoring/prometheus.yml, as it runs in the test. */
export interface RunningTarget {
  /** The job name in prometheus.yml, which is also the compose service name of its target. */
  job: string;
  port: number;
}

/**
 * Every job of the shipped prometheus.yml. kline-service and flow-service are started like test-service
 * (the repository's service conventions) as soon as their app exists; until then, and for admin-portal
 * (a Next.js app that needs a build), a job may lack a running target only while its app folder has no
 * package.json, so once the portal lands (merge) the tests fail until its spawn is added here.
 */
export type ComponentName =
  | 'pingora-proxy'
  | 'oauth-service'
  | 'admin-portal'
  | 'kline-service'
  | 'flow-service'
  | 'test-service'
  | 'node-exporter';

export const NOT_BUILT_YET: ComponentName[] = ['admin-portal', 'kline-service', 'flow-service'];

export interface Platform {
  targets: RunningTarget[];
  /** The job's /metrics text, read on the path monitoring/prometheus.yml scrapes. */
  readMetrics(job: string): Promise<string>;
  gatewayUrl: string;
  /** PEM of the gateway's self-signed certificate (trust anchor for requests to it). */
  gatewayCa: string;
  machineSecret: string;
  /** A machine client allowed the flow scopes (flow-service's own machine client is not: it calls others). */
  flowDriver: { clientId: string; secret: string };
  issuer: string;
  /** Stops one of the Node components started here (the gateway then reports it down). */
  stopComponent(job: string): Promise<void>;
  stop(): Promise<void>;
}

const OAUTH_DIR = repoPath('apps/oauth-service');
const TEST_SERVICE_DIR = repoPath('apps/test-service');

/** Resource services started, when their app exists, the way test-service is: `node src/main.ts`. */
const CONVENTIONAL_SERVICES = ['kline-service', 'flow-service'] as const;

/**
 * Starts a resource service by the repository's conventions (README "Environment variables"): migrations
 * with `src/db/cli.ts push` when it has a database, then `node src/main.ts` on a free port with a SQLite
 * file, verifying tokens of `issuer`. Fails with the service's output when it does not get ready.
 */
async function startConventional(name: string, dir: string, issuer: string): Promise<SpawnedService> {
  const cwd = repoPath('apps', name);
  const port = await freePort();
  const env = {
    DATABASE_URL: `file:${join(dir, `${name}.db`)}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: issuer,
    OAUTH_ISSUER: issuer,
    OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
  };
  if (existsSync(join(cwd, 'src/db/cli.ts'))) {
    const push = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (push.status !== 0) throw new Error(`${name} db push failed: ${push.stderr}${push.stdout}`);
  }
  return spawnService({ cwd, entry: 'src/main.ts', env, readyPath: '/ready', timeoutMs: 30_000 });
}

function dbTask(task: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', task], {
    cwd: OAUTH_DIR,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`oauth-service db ${task} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return { cert, key };
}

/**
 * The gateway's production.yaml as shipped, with only what a loopback run needs changed: bind address,
 * certificate paths (a self-signed pair) and one worker thread. Upstream servers come from UPSTREAM_*.
 */
function gatewayConfig(dir: string, port: number, tls: { cert: string; key: string }): string {
  const config = parse(readFileSync(repoPath('apps/pingora-proxy/config/production.yaml'), 'utf8'));
  config.server.bind_address = `127.0.0.1:${port}`;
  config.server.worker_threads = 1;
  config.server.tls.cert_file = tls.cert;
  config.server.tls.key_file = tls.key;
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export async function startPlatform(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-platform-'));
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const oauthPort = await freePort();
    const issuer = `http://127.0.0.1:${oauthPort}`;
    const oauthEnv = {
      DATABASE_URL: `file:${join(dir, 'oauth-service.db')}`,
      PUBLIC_URL: issuer,
      PORT: String(oauthPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: 'ops-correct-horse-battery-7',
      OAUTH_CLIENT_SECRET: 'ops-portal-secret-0123456789abcdefghijklmnop',
      ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
    };
    dbTask('push', oauthEnv);
    const seedOutput = dbTask('seed', oauthEnv);
    const machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(seedOutput)?.[1];
    if (!machineSecret) throw new Error(`the seed printed no flow-service secret:\n${seedOutput}`);
    const flowDriver = await createFlowDriverClient(oauthEnv);
    const oauth: SpawnedService = await spawnService({
      cwd: OAUTH_DIR,
      entry: 'src/main.ts',
      env: oauthEnv,
      readyPath: '/ready',
      timeoutMs: 30_000,
    });
    stops.push(() => oauth.stop());

    const testPort = await freePort();
    const testEnv = {
      DATABASE_URL: `file:${join(dir, 'test-service.db')}`,
      PORT: String(testPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: issuer,
      OAUTH_ISSUER: issuer,
      OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
      TOKEN_AUDIENCE: `${issuer}/test`,
    };
    const push = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
      cwd: TEST_SERVICE_DIR,
      env: { ...process.env, ...testEnv },
      encoding: 'utf8',
    });
    if (push.status !== 0) throw new Error(`test-service db push failed: ${push.stderr}`);
    const testService = await spawnService({
      cwd: TEST_SERVICE_DIR,
      entry: 'src/main.ts',
      env: testEnv,
      readyPath: '/ready',
      timeoutMs: 30_000,
    });
    stops.push(() => testService.stop());

    // Upstreams of services that do not run here point at a port nobody listens on: the gateway then
    // reports them unhealthy, as it would in production while they are down.
    const closedPort = await freePort();
    const extra: Array<{ job: string; service: SpawnedService }> = [];
    for (const name of CONVENTIONAL_SERVICES) {
      if (missingApp(name)) continue;
      const service = await startConventional(name, dir, issuer);
      stops.push(() => service.stop());
      extra.push({ job: name, service });
    }
    // The console: its own server around the Next build that scripts/test.sh makes (scripts/lib/portal.sh).
    if (!missingApp('admin-portal')) {
      const portalPort = await freePort();
      const portal = await spawnService({
        cwd: repoPath('apps/admin-portal'),
        entry: 'src/server.ts',
        env: {
          PORT: String(portalPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          PUBLIC_URL: issuer,
          OAUTH_ISSUER: issuer,
          NEXT_PUBLIC_API_URL: issuer,
          OAUTH_CLIENT_SECRET: oauthEnv.OAUTH_CLIENT_SECRET,
        },
        readyPath: '/health',
        timeoutMs: 60_000,
      });
      stops.push(() => portal.stop());
      extra.push({ job: 'admin-portal', service: portal });
    }
    const upstream = (job: string) => {
      const running = extra.find((e) => e.job === job);
      return `127.0.0.1:${running ? running.service.port : closedPort}`;
    };

    const gatewayPort = await freePort();
    const tls = selfSignedCertificate(dir);
    const gatewayCa = readFileSync(tls.cert, 'utf8');
    const gatewayUrl = `https://127.0.0.1:${gatewayPort}`;
    const gateway: NativeProcess = await startNative({
      name: 'pingora-proxy',
      command: gatewayBinary(),
      args: ['--config', gatewayConfig(dir, gatewayPort, tls)],
      env: {
        RUST_LOG: 'error',
        UPSTREAM_OAUTH_1: `127.0.0.1:${oauthPort}`,
        UPSTREAM_TEST_1: `127.0.0.1:${testPort}`,
        UPSTREAM_ADMIN_PORTAL_1: upstream('admin-portal'),
        UPSTREAM_KLINE_1: upstream('kline-service'),
        UPSTREAM_FLOW_1: upstream('flow-service'),
        OAUTH_ISSUER: issuer,
        OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
      },
      ready: async () => (await httpsRequest(`${gatewayUrl}/healthz`, { ca: gatewayCa })).status === 200,
    });
    stops.push(() => gateway.stop());

    const nodeExporterPort = await freePort();
    const nodeExporterUrl = `http://127.0.0.1:${nodeExporterPort}`;
    const nodeExporter = await startNative({
      name: 'node-exporter',
      command: tool('prometheus-node-exporter'),
      args: [`--web.listen-address=127.0.0.1:${nodeExporterPort}`, '--log.level=error'],
      ready: async () => (await fetch(`${nodeExporterUrl}/metrics`)).ok,
    });
    stops.push(() => nodeExporter.stop());

    const metricsUrls: Record<string, string> = {
      'oauth-service': `${oauth.url}/api/metrics`,
      'test-service': `${testService.url}/metrics`,
      'node-exporter': `${nodeExporterUrl}/metrics`,
      ...Object.fromEntries(extra.map((e) => [e.job, `${e.service.url}/metrics`])),
    };
    return {
      targets: [
        { job: 'pingora-proxy', port: gatewayPort },
        { job: 'oauth-service', port: oauthPort },
        { job: 'test-service', port: testPort },
        { job: 'node-exporter', port: nodeExporterPort },
        ...extra.map((e) => ({ job: e.job, port: e.service.port })),
      ],
      async readMetrics(job: string) {
        if (job === 'pingora-proxy')
          return (await httpsRequest(`${gatewayUrl}/metrics`, { ca: gatewayCa })).body;
        const url = metricsUrls[job];
        if (!url) throw new Error(`no running job ${job}`);
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url} answered ${response.status}`);
        return response.text();
      },
      gatewayUrl,
      gatewayCa,
      machineSecret,
      flowDriver,
      issuer,
      async stopComponent(job: string) {
        const running = extra.find((e) => e.job === job);
        if (!running) throw new Error(`${job} is not a component this platform can stop`);
        await running.service.stop();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Registers, straight in oauth-service's database (as its own test support does), a confidential
 * client_credentials client with the flow scopes, so the traffic below can run a workflow.
 */
async function createFlowDriverClient(oauthEnv: Record<string, string>) {
  const { loadOAuthServiceConfig } = await import('../../../apps/oauth-service/src/config.ts');
  const { createSecretBox } = await import('../../../apps/oauth-service/src/crypto/secret-box.ts');
  const { createClientsRepository } = await import(
    '../../../apps/oauth-service/src/clients/clients.repository.ts'
  );
  const { createDatabase } = await import('@platform/db');
  const config = loadOAuthServiceConfig(oauthEnv);
  const database = createDatabase(config.DATABASE_URL, { poolMax: 1 });
  try {
    const { client, clientSecret } = await createClientsRepository(
      database.db as never,
      createSecretBox(config.ENCRYPTION_KEY),
    ).create({
      name: 'ops traffic driver',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scope: ['flow:read', 'flow:write', 'flow:run'],
    });
    return { clientId: client.client_id, secret: clientSecret! };
  } finally {
    await database.close();
  }
}

/** Traffic through the gateway: a client_credentials token, then authorised and refused test-service calls. */
export async function driveTraffic(platform: Platform): Promise<void> {
  const { gatewayUrl, gatewayCa: ca, issuer, machineSecret } = platform;
  const basic = Buffer.from(`flow-service:${machineSecret}`).toString('base64');
  const token = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'test:read',
      resource: `${issuer}/test`,
    }).toString(),
  });
  if (token.status !== 200) throw new Error(`token request failed: ${token.status} ${token.body}`);
  const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
  const echo = await httpsRequest(`${gatewayUrl}/test/api/v1/echo`, {
    ca,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (echo.status !== 200) throw new Error(`echo through the gateway failed: ${echo.status} ${echo.body}`);
  const refused = await httpsRequest(`${gatewayUrl}/test/api/v1/echo`, { ca });
  if (refused.status !== 401) throw new Error(`echo without a token answered ${refused.status}`);
  // A wrong client secret: a token-endpoint error (oauth_grant_errors_total).
  const wrong = Buffer.from('flow-service:not-the-secret').toString('base64');
  const denied = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${wrong}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'test:read' }).toString(),
  });
  if (denied.status !== 401)
    throw new Error(`a wrong client secret answered ${denied.status} ${denied.body}`);
  // A token without a resource is opaque, so it can be revoked (oauth_revocations_total).
  const opaque = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'test:read' }).toString(),
  });
  const revoked = await httpsRequest(`${gatewayUrl}/oauth/revoke`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token: (JSON.parse(opaque.body) as { access_token: string }).access_token,
    }).toString(),
  });
  if (revoked.status !== 200) throw new Error(`revocation answered ${revoked.status} ${revoked.body}`);
  // A workflow run when flow-service runs: runs started and completed, step durations, queue depth.
  if (!missingApp('flow-service')) await driveFlowRun(platform);
}

/** Components listed in prometheus.yml that are absent from this repository (no package.json yet). */
export function missingApp(name: ComponentName): boolean {
  return !existsSync(repoPath('apps', name, 'package.json'));
}

/** Creates a one-step no-op definition and runs it to completion through the gateway. */
async function driveFlowRun(platform: Platform): Promise<void> {
  const { gatewayUrl, gatewayCa: ca, issuer, flowDriver } = platform;
  const basic = Buffer.from(`${flowDriver.clientId}:${flowDriver.secret}`).toString('base64');
  const token = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'flow:read flow:write flow:run',
      resource: `${issuer}/flow`,
    }).toString(),
  });
  if (token.status !== 200) throw new Error(`flow token request failed: ${token.status} ${token.body}`);
  const authorization = `Bearer ${(JSON.parse(token.body) as { access_token: string }).access_token}`;
  const created = await httpsRequest(`${gatewayUrl}/flow/api/v1/definitions`, {
    ca,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'ops-metrics', name: 'ops metrics', steps: [{ id: 'only', type: 'noop' }] }),
  });
  if (created.status !== 201) throw new Error(`definition not created: ${created.status} ${created.body}`);
  const started = await httpsRequest(`${gatewayUrl}/flow/api/v1/definitions/ops-metrics/runs`, {
    ca,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', 'idempotency-key': `ops-${Date.now()}` },
    body: JSON.stringify({ input: {} }),
  });
  if (started.status !== 201 && started.status !== 202)
    throw new Error(`run not started: ${started.status} ${started.body}`);
  const run = JSON.parse(started.body) as { id: string };
  for (let i = 0; i < 100; i += 1) {
    const state = await httpsRequest(`${gatewayUrl}/flow/api/v1/runs/${run.id}`, {
      ca,
      headers: { authorization },
    });
    if ((JSON.parse(state.body) as { state?: string }).state === 'succeeded') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ops workflow run ${run.id} did not succeed`);
}
