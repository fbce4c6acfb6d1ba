import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHttpMetrics } from '@platform/http/http-metrics';
import { createClientAddress, pinClientAddress } from './client-address.ts';
import { PLATFORM_NODE_ENV } from './platform-env.ts';

// A console's entry point around Next.js: the platform's /health, /ready and /metrics at the root (as every
// service has; the gateway health-checks /health), `/` sent to the console's base path, the browser's address
// pinned (client-address.ts), everything else to Next.js, the HTTP metrics recorded, and a graceful stop on
// SIGTERM/SIGINT.

export { PLATFORM_NODE_ENV };

/** Takes an upgrade request (true) or leaves it (false). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

type NextApp = ReturnType<typeof import('next')['default']>;
export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

export interface ConsoleServerOptions {
  /** The app's name in logs (`account-portal`). */
  name: string;
  /** The Next.js basePath (`/account`). */
  basePath: string;
  /** The app's folder (where next.config.ts is). */
  dir: string;
  /** `next dev` behaviour instead of the production build. */
  dev: boolean;
  config: { host: string; port: number; production: boolean; trustedProxies: string[] };
  /** Resolves when the console can serve (its identity provider answers); the error's message otherwise. */
  ready(): Promise<void>;
  /** The metrics' route label of a path: a fixed set of values, never the raw URL. */
  routeLabel(pathname: string): string;
  /**
   * WebSocket upgrades the console serves itself: the handler answers true when it took the request (in
   * development Next's own hot reload is served besides; anything else is refused).
   */
  upgrades?(metrics: HttpMetrics): UpgradeHandler;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The Next.js app, prepared: production mode for a build, whatever the platform's own NODE_ENV. */
async function startNext(options: ConsoleServerOptions): Promise<NextApp> {
  if (!options.dev) {
    Object.assign(process.env, {
      [PLATFORM_NODE_ENV]: options.config.production ? 'production' : 'development',
      NODE_ENV: 'production',
    });
  }
  // Next.js would otherwise announce (and send) anonymous telemetry; the platform phones nowhere.
  Object.assign(process.env, { NEXT_TELEMETRY_DISABLED: '1' });
  const { default: next } = await import('next');
  const app = next({
    dev: options.dev,
    dir: options.dir,
    hostname: options.config.host,
    port: options.config.port,
  });
  await app.prepare();
  return app;
}

async function ready(options: ConsoleServerOptions, res: ServerResponse) {
  try {
    await options.ready();
    json(res, 200, { status: 'ready', checks: { 'oauth-service': 'ok' } });
  } catch (error) {
    json(res, 503, { status: 'not ready', checks: { 'oauth-service': (error as Error).message } });
  }
}

/** The platform's own endpoints at the root, `/` to the console, everything else to Next.js; all measured. */
function createRequestHandler(app: NextApp, metrics: HttpMetrics, options: ConsoleServerOptions) {
  const handle = app.getRequestHandler();
  const clientAddress = createClientAddress(options.config.trustedProxies);
  const { basePath } = options;
  async function serve(req: IncomingMessage, res: ServerResponse) {
    pinClientAddress(req, clientAddress(req));
    const started = process.hrtime.bigint();
    const pathname = new URL(req.url ?? '/', 'http://console').pathname;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.record(req.method ?? 'GET', options.routeLabel(pathname), res.statusCode, seconds);
    });
    if (pathname === '/health' || pathname === `${basePath}/api/health`)
      return json(res, 200, { status: 'ok' });
    if (pathname === '/ready') return ready(options, res);
    if (pathname === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (pathname === '/') {
      res.writeHead(302, { location: basePath });
      return res.end();
    }
    return handle(req, res);
  }
  return (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((error: Error) => {
      console.error(`${options.name}: request failed:`, error.message);
      if (!res.headersSent) json(res, 500, { title: 'Internal Server Error', status: 500 });
      else res.destroy();
    });
  };
}

/** WebSocket upgrades: the console's own, then (in development) Next's hot reload; others refused. */
function handleUpgrades(server: Server, app: NextApp, metrics: HttpMetrics, options: ConsoleServerOptions) {
  const own = options.upgrades?.(metrics);
  const nextUpgrade = options.dev ? app.getUpgradeHandler() : undefined;
  server.on('upgrade', (req, socket, head) => {
    if (own?.(req, socket, head)) return;
    if (nextUpgrade) void nextUpgrade(req, socket, head);
    else socket.destroy();
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

/** Starts the console: Next.js prepared, then the server listening; stops on SIGTERM/SIGINT. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<Server> {
  const app = await startNext(options);
  const metrics = createHttpMetrics();
  const server = createServer(createRequestHandler(app, metrics, options));
  handleUpgrades(server, app, metrics, options);
  const { host, port } = options.config;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  console.info(
    `${options.name} listening on http://${host}:${port}${options.basePath} (${options.dev ? 'development' : 'production build'})`,
  );
  stopOnSignals(server, app);
  return server;
}

const ROOT_PATHS = new Set(['/health', '/ready', '/metrics', '/']);

/**
 * The route label of the HTTP metrics: Next.js has no route templates outside its router, so the label is
 * the console section (`/admin/users`), and anything else one shared value: a scanner cannot mint a series
 * per URL.
 */
export function routeLabel(pathname: string, basePath: string, sections: ReadonlySet<string>): string {
  if (ROOT_PATHS.has(pathname)) return pathname;
  if (pathname === basePath || pathname === `${basePath}/`) return basePath;
  if (!pathname.startsWith(`${basePath}/`)) return 'unmatched';
  const section = pathname.slice(basePath.length + 1).split('/')[0] ?? '';
  return sections.has(section) ? `${basePath}/${section}` : 'unmatched';
}
