import { portalConfig } from '../config.ts';
import { parsePrometheus, ratePerSecond, type Sample, sum } from './prometheus.ts';
import type { HealthState } from './states.ts';

// What the system page shows, gathered on the server from inside the network: each service's /ready, the
// gateway's /healthz (its view of every upstream) and /metrics, and oauth-service's metrics.

export interface ServiceStatus {
  name: string;
  url: string;
  ready: boolean;
  detail: string;
}

export interface UpstreamStatus {
  name: string;
  servers: number;
  healthy: number;
}

export interface GatewayStatus {
  reachable: boolean;
  upstreams: UpstreamStatus[];
  detail: string;
}

/** Readiness of every service and the gateway's view of its upstreams: what Overview and System show. */
export interface ComponentHealth {
  services: ServiceStatus[];
  gateway: GatewayStatus;
  /** Epoch ms when the readings were taken. */
  checkedAt: number;
}

export interface SystemStatus extends ComponentHealth {
  figures: {
    tokensIssued: number | null;
    loginFailures: number | null;
    loginAttempts: number | null;
    gatewayRequestsPerSecond: number | null;
    gatewayRequestsTotal: number | null;
  };
}

async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(3000) });
  return { status: response.status, text: await response.text() };
}

async function readiness(name: string, url: string): Promise<ServiceStatus> {
  try {
    const { status, text } = await fetchText(`${url}/ready`);
    let detail = `HTTP ${status}`;
    try {
      const body = JSON.parse(text) as { status?: string; checks?: Record<string, unknown> };
      if (body.checks)
        detail = Object.entries(body.checks)
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(', ');
      else if (body.status) detail = body.status;
    } catch {
      // a non-JSON answer: the status code says enough
    }
    return { name, url, ready: status === 200, detail };
  } catch (error) {
    return { name, url, ready: false, detail: `unreachable (${(error as Error).message})` };
  }
}

async function metrics(url: string): Promise<Sample[] | null> {
  try {
    const { status, text } = await fetchText(url);
    return status === 200 ? parsePrometheus(text) : null;
  } catch {
    return null;
  }
}

// The previous reading of the gateway's request counter, so a page view measures the rate since the last one;
// the first view (or one after a long pause) takes two readings a second apart.
let lastGatewayReading: { total: number; at: number } | undefined;
const MAX_READING_AGE_MS = 5 * 60_000;

async function gatewayRate(url: string): Promise<{ rate: number | null; total: number | null }> {
  const read = async () => {
    const samples = await metrics(url);
    return samples ? { total: sum(samples, 'pingora_requests_total'), at: Date.now() } : null;
  };
  let before =
    lastGatewayReading && Date.now() - lastGatewayReading.at < MAX_READING_AGE_MS ? lastGatewayReading : null;
  if (!before || Date.now() - before.at < 1000) {
    before = await read();
    if (!before) return { rate: null, total: null };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const after = await read();
  if (!after) return { rate: null, total: null };
  lastGatewayReading = after;
  return { rate: ratePerSecond(before, after), total: after.total };
}

/** The gateway's /healthz: each upstream with its number of servers and of healthy ones. */
async function gatewayHealth(gatewayUrl: string): Promise<GatewayStatus> {
  const healthz = await fetchText(`${gatewayUrl}/healthz`).catch((error: Error) => ({
    status: 0,
    text: error.message,
  }));
  let upstreams: UpstreamStatus[] = [];
  let detail = healthz.status ? `HTTP ${healthz.status}` : `unreachable (${healthz.text})`;
  if (healthz.status === 200) {
    try {
      const body = JSON.parse(healthz.text) as {
        upstreams?: Record<string, { servers: number; healthy: number }>;
      };
      upstreams = Object.entries(body.upstreams ?? {})
        .map(([name, u]) => ({ name, servers: u.servers, healthy: u.healthy }))
        .sort((a, b) => a.name.localeCompare(b.name));
      detail = 'ok';
    } catch {
      detail = 'answered, but not with the expected JSON';
    }
  }
  return { reachable: healthz.status === 200, upstreams, detail };
}

/** Every configured service's /ready and the gateway's upstreams, read from inside the network. */
export async function componentHealth(): Promise<ComponentHealth> {
  const config = portalConfig();
  const [services, gateway] = await Promise.all([
    Promise.all(config.services.map((s) => readiness(s.name, s.url))),
    gatewayHealth(config.gatewayUrl),
  ]);
  return { services, gateway, checkedAt: Date.now() };
}

/** The gateway's state: down when unreachable or an upstream has no healthy server, degraded when one lacks some. */
export function gatewayState(gateway: GatewayStatus): HealthState {
  if (!gateway.reachable || gateway.upstreams.some((u) => u.healthy === 0)) return 'down';
  return gateway.upstreams.some((u) => u.healthy < u.servers) ? 'degraded' : 'ok';
}

export async function systemStatus(): Promise<SystemStatus> {
  const config = portalConfig();
  const oauth = config.services.find((s) => s.name === 'oauth-service')?.url ?? config.internalOAuthUrl;
  const [health, oauthMetrics, rate] = await Promise.all([
    componentHealth(),
    metrics(`${oauth}/metrics`),
    gatewayRate(`${config.gatewayUrl}/metrics`),
  ]);
  return {
    ...health,
    figures: {
      tokensIssued: oauthMetrics ? sum(oauthMetrics, 'oauth_tokens_issued_total') : null,
      loginFailures: oauthMetrics
        ? sum(oauthMetrics, 'oauth_login_attempts_total', (l) => l.result !== 'success')
        : null,
      loginAttempts: oauthMetrics ? sum(oauthMetrics, 'oauth_login_attempts_total') : null,
      gatewayRequestsPerSecond: rate.rate,
      gatewayRequestsTotal: rate.total,
    },
  };
}
