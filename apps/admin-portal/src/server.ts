// admin-portal's entry point (`node src/server.ts`, `--dev` for `next dev` behaviour): the configuration is
// validated before anything else, then the shared console server (@platform/web-session/console-server:
// /health, /ready, /metrics, client address, graceful stop) runs the Next.js app, with the Markets relay's
// WebSocket upgrades besides.
import { runMain } from '@platform/config';
import type { HttpMetrics } from '@platform/web-session/console-server';
import { startConsoleServer, type UpgradeHandler } from '@platform/web-session/console-server';
import { Counter } from 'prom-client';
import { portalConfig } from './lib/config.ts';
import { oidcConfiguration } from './lib/oidc/client.ts';
import { createMarketsRelay, MARKETS_WS_PATH, RELAY_MAX_BUFFERED_BYTES } from './server/markets-relay.ts';
import { routeLabel } from './server/metrics.ts';

const BASE_PATH = '/admin';

type PortalConfig = ReturnType<typeof portalConfig>;

/** The Markets relay's WebSocket (kline-service's live candles through the portal). */
function marketsUpgrades(config: PortalConfig, metrics: HttpMetrics): UpgradeHandler {
  const slowBrowsers = new Counter({
    name: 'admin_portal_markets_relay_dropped_total',
    help: 'Markets WebSockets closed because the browser did not read (1008 slow consumer).',
    registers: [metrics.registry],
  });
  const marketsRelay = createMarketsRelay(config, {
    maxBufferedBytes: RELAY_MAX_BUFFERED_BYTES,
    onDrop: () => slowBrowsers.inc(),
  });
  return (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://portal').pathname !== MARKETS_WS_PATH) return false;
    marketsRelay(req, socket, head).catch(() => socket.destroy());
    return true;
  };
}

await runMain(async () => {
  const config = portalConfig();
  await startConsoleServer({
    name: 'admin-portal',
    basePath: BASE_PATH,
    dir: new URL('..', import.meta.url).pathname,
    dev: process.argv.includes('--dev'),
    config,
    ready: async () => {
      await oidcConfiguration();
    },
    routeLabel: (pathname) => routeLabel(pathname, BASE_PATH),
    upgrades: (metrics) => marketsUpgrades(config, metrics),
  });
});
