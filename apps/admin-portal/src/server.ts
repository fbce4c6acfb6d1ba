// admin-portal's entry point (`node src/server.ts`, `--dev` for `next dev` behaviour). It validates the
// configuration before anything else, serves the platform's /health, /ready and /metrics at the root (as
// every service does; the gateway health-checks /health), sends `/` to the console, hands everything else
// to Next.js, records the HTTP metrics, and shuts down gracefully on SIGTERM/SIGINT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runMain } from '@platform/config';
import { createHttpMetrics } from '@platform/http/http-metrics';
import { createClientAddress, pinClientAddress } from '@platform/web-session/client-address';
import { Counter } from 'prom-client';
import { PLATFORM_NODE_ENV, portalConfig } from './lib/config.ts';
import { oidcConfiguration } from './lib/oidc/client.ts';
import { createMarketsRelay, MARKETS_WS_PATH, RELAY_MAX_BUFFERED_BYTES } from './server/markets-relay.ts';
import { routeLabel } from './server/metrics.ts';

const BASE_PATH = '/admin';
const dev = process.argv.includes('--dev');

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

type PortalConfig = ReturnType<typeof portalConfig>;
type NextApp = ReturnType<typeof import('next')['default']>;
type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/** The Next.js app, prepared: production mode for a build, whatever the platform's own NODE_ENV. */
async function startNext(config: PortalConfig): Promise<NextApp> {
  // Next.js wants NODE_ENV=production for a production build; the platform's own NODE_ENV (development
  // unless set) was read above and keeps deciding whether development secrets are refused.
  if (!dev) {
    Object.assign(process.env, {
      [PLATFORM_NODE_ENV]: config.production ? 'production' : 'development',
      NODE_ENV: 'production',
    });
  }
  // Next.js would otherwise announce (and send) anonymous telemetry; the platform phones nowhere.
  Object.assign(process.env, { NEXT_TELEMETRY_DISABLED: '1' });
  const { default: next } = await import('next');
  const app = next({
    dev,
    dir: new URL('..', import.meta.url).pathname,
    hostname: config.host,
    port: config.port,
  });
  await app.prepare();
  return app;
}

async function ready(res: ServerResponse) {
  try {
    await oidcConfiguration();
    json(res, 200, { status: 'ready', checks: { 'oauth-service': 'ok' } });
  } catch (error) {
    json(res, 503, { status: 'not ready', checks: { 'oauth-service': (error as Error).message } });
  }
}

/** The platform's own endpoints at the root, `/` to the console, everything else to Next.js; all measured. */
function createRequestHandler(app: NextApp, metrics: HttpMetrics, config: PortalConfig) {
  const handle = app.getRequestHandler();
  const clientAddress = createClientAddress(config.trustedProxies);
  async function serve(req: IncomingMessage, res: ServerResponse) {
    pinClientAddress(req, clientAddress(req));
    const started = process.hrtime.bigint();
    const pathname = new URL(req.url ?? '/', 'http://portal').pathname;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.record(req.method ?? 'GET', routeLabel(pathname, BASE_PATH), res.statusCode, seconds);
    });
    if (pathname === '/health' || pathname === `${BASE_PATH}/api/health`)
      return json(res, 200, { status: 'ok' });
    if (pathname === '/ready') return ready(res);
    if (pathname === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (pathname === '/') {
      res.writeHead(302, { location: BASE_PATH });
      return res.end();
    }
    return handle(req, res);
  }
  return (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((error: Error) => {
      console.error('admin-portal: request failed:', error.message);
      if (!res.headersSent) json(res, 500, { title: 'Internal Server Error', status: 500 });
      else res.destroy();
    });
  };
}

/** WebSocket upgrades: the Markets relay; in development also Next's own (hot reload). */
function handleUpgrades(server: Server, app: NextApp, config: PortalConfig, metrics: HttpMetrics) {
  const slowBrowsers = new Counter({
    name: 'admin_portal_markets_relay_dropped_total',
    help: 'Markets WebSockets closed because the browser did not read (1008 slow consumer).',
    registers: [metrics.registry],
  });
  const marketsRelay = createMarketsRelay(config, {
    maxBufferedBytes: RELAY_MAX_BUFFERED_BYTES,
    onDrop: () => slowBrowsers.inc(),
  });
  const nextUpgrade = dev ? app.getUpgradeHandler() : undefined;
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://portal').pathname;
    if (pathname === MARKETS_WS_PATH) {
      marketsRelay(req, socket, head).catch(() => socket.destroy());
    } else if (nextUpgrade) {
      void nextUpgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish (10 s at most), then exit. */
function stopOnSignals(server: Server, app: NextApp) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await runMain(async () => {
  const config = portalConfig();
  const app = await startNext(config);
  const metrics = createHttpMetrics();
  const server = createServer(createRequestHandler(app, metrics, config));
  handleUpgrades(server, app, config, metrics);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  console.info(
    `admin-portal listening on http://${config.host}:${config.port}${BASE_PATH} (${dev ? 'development' : 'production build'})`,
  );
  stopOnSignals(server, app);
});
