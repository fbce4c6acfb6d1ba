import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type SpawnedService } from '@platform/testing';
import { httpsRequest } from './https.ts';
import { type RunningGateway, startGateway, startNodeExporter } from './platform-gateway.ts';
import {
  type RunningOAuthService,
  startAccountPortal,
  startConventional,
  startOAuthService,
  startPortal,
  startTestService,
} from './platform-services.ts';
import { repoPath } from './repo.ts';

// The platform as the monitoring tests need it running on loopback: oauth-service, test-service,
// kline-service, flow-service and admin-portal (each when its app is in the repository), account-portal, the gateway
// (production.yaml with TLS, its upstreams pointed at the services with UPSTREAM_* overrides) and
// node-exporter. The services are started in platform-services.ts, the native components in
// platform-gateway.ts. Every port is free-picked;
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
 * (the repository's service conventions), admin-portal from its Next build. A job in NOT_BUILT_YET may
 * lack a running target only while its app folder has no package.json.
 */
export type ComponentName =
  | 'pingora-proxy'
  | 'oauth-service'
  | 'admin-portal'
  | 'account-portal'
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

/** Resource services started, when their app exists, the way test-service is: `node src/main.ts`. */
const CONVENTIONAL_SERVICES = ['kline-service', 'flow-service'] as const;

interface ExtraComponent {
  job: string;
  service: SpawnedService;
}

/** The optional components whose app is in the repository: the conventional services, then the consoles. */
async function startExtraComponents(
  dir: string,
  oauth: RunningOAuthService,
  stops: Array<() => Promise<unknown>>,
): Promise<ExtraComponent[]> {
  const extra: ExtraComponent[] = [];
  for (const name of CONVENTIONAL_SERVICES) {
    if (missingApp(name)) continue;
    const service = await startConventional(name, dir, oauth.issuer);
    stops.push(() => service.stop());
    extra.push({ job: name, service });
  }
  if (!missingApp('admin-portal')) {
    const portal = await startPortal(oauth.issuer, oauth.env.OAUTH_CLIENT_SECRET!);
    stops.push(() => portal.stop());
    extra.push({ job: 'admin-portal', service: portal });
  }
  const account = await startAccountPortal(oauth.issuer, oauth.env.ACCOUNT_CLIENT_SECRET!);
  stops.push(() => account.stop());
  extra.push({ job: 'account-portal', service: account });
  return extra;
}

/** The gateway's UPSTREAM_* overrides: each upstream at its running service, or at a closed port. */
async function gatewayUpstreams(
  oauth: RunningOAuthService,
  testService: SpawnedService,
  extra: ExtraComponent[],
): Promise<Record<string, string>> {
  // Upstreams of services that do not run here point at a port nobody listens on: the gateway then
  // reports them unhealthy, as it would in production while they are down.
  const closedPort = await freePort();
  const upstream = (job: string) => {
    const running = extra.find((e) => e.job === job);
    return `127.0.0.1:${running ? running.service.port : closedPort}`;
  };
  return {
    UPSTREAM_OAUTH_1: `127.0.0.1:${oauth.port}`,
    UPSTREAM_TEST_1: `127.0.0.1:${testService.port}`,
    UPSTREAM_ADMIN_PORTAL_1: upstream('admin-portal'),
    UPSTREAM_ACCOUNT_PORTAL_1: upstream('account-portal'),
    UPSTREAM_KLINE_1: upstream('kline-service'),
    UPSTREAM_FLOW_1: upstream('flow-service'),
  };
}

interface StartedComponents {
  oauth: RunningOAuthService;
  testService: SpawnedService;
  extra: ExtraComponent[];
  gateway: RunningGateway;
  nodeExporter: { port: number; url: string };
}

/** The Platform handle over the started components. */
function platformOf(started: StartedComponents, stop: () => Promise<void>): Platform {
  const { oauth, testService, extra, gateway, nodeExporter } = started;
  const metricsUrls: Record<string, string> = {
    'oauth-service': `${oauth.service.url}/api/metrics`,
    'test-service': `${testService.url}/metrics`,
    'node-exporter': `${nodeExporter.url}/metrics`,
    ...Object.fromEntries(extra.map((e) => [e.job, `${e.service.url}/metrics`])),
  };
  return {
    targets: [
      { job: 'pingora-proxy', port: gateway.port },
      { job: 'oauth-service', port: oauth.port },
      { job: 'test-service', port: testService.port },
      { job: 'node-exporter', port: nodeExporter.port },
      ...extra.map((e) => ({ job: e.job, port: e.service.port })),
    ],
    async readMetrics(job: string) {
      if (job === 'pingora-proxy')
        return (await httpsRequest(`${gateway.url}/metrics`, { ca: gateway.ca })).body;
      const url = metricsUrls[job];
      if (!url) throw new Error(`no running job ${job}`);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return response.text();
    },
    gatewayUrl: gateway.url,
    gatewayCa: gateway.ca,
    machineSecret: oauth.machineSecret,
    flowDriver: oauth.flowDriver,
    issuer: oauth.issuer,
    async stopComponent(job: string) {
      const running = extra.find((e) => e.job === job);
      if (!running) throw new Error(`${job} is not a component this platform can stop`);
      await running.service.stop();
    },
    stop,
  };
}

export async function startPlatform(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-platform-'));
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const oauth = await startOAuthService(dir);
    stops.push(() => oauth.service.stop());
    const testService = await startTestService(dir, oauth.issuer);
    stops.push(() => testService.stop());
    const extra = await startExtraComponents(dir, oauth, stops);
    const upstreams = await gatewayUpstreams(oauth, testService, extra);
    const gateway = await startGateway(dir, oauth.issuer, upstreams);
    stops.push(() => gateway.process.stop());
    const nodeExporter = await startNodeExporter();
    stops.push(() => nodeExporter.process.stop());
    return platformOf({ oauth, testService, extra, gateway, nodeExporter }, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Components listed in prometheus.yml that are absent from this repository (no package.json yet). */
export function missingApp(name: ComponentName): boolean {
  return !existsSync(repoPath('apps', name, 'package.json'));
}
