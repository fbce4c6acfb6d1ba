import { protectResource } from '@platform/auth';
import { createDatabase, type Database, openMigratedDatabase } from '@platform/db';
import { type App, createApp } from '@platform/http';
import type { KlineServiceConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import type { KlineSchema } from './db/schema.ts';
import { latestCandle, queryKlinesJson } from './db/store.ts';
import { ingestRoutes } from './ingest/ingest.routes.ts';
import { Ingestor } from './ingest/ingestor.ts';
import { validateBatch } from './ingest/validate.ts';
import { klineRoutes } from './klines/klines.routes.ts';
import { INTERVALS } from './market/intervals.ts';
import { createKlineMetrics, type KlineMetrics } from './metrics.ts';
import { MarketSimulator } from './simulator/market-simulator.ts';
import { KlineHub } from './ws/hub.ts';
import { acceptSubprotocolToken, wsRoutes } from './ws/ws.routes.ts';

export const SCOPES = ['kline:read', 'kline:write'] as const;

// A full 10,000-trade batch is ~1.2 MB of JSON; the gateway allows 10 MiB on /kline/.
const BODY_LIMIT = 4 * 1024 * 1024;

export type AppConfig = Pick<
  KlineServiceConfig,
  | 'DATABASE_URL'
  | 'LOG_LEVEL'
  | 'OAUTH_ISSUER'
  | 'OAUTH_JWKS_URL'
  | 'TOKEN_AUDIENCE'
  | 'KLINE_WS_PING_INTERVAL_MS'
  | 'KLINE_WS_MAX_BUFFERED_BYTES'
  | 'KLINE_WS_MAX_SOCKETS_PER_TOKEN'
  | 'KLINE_CANDLE_CACHE'
  | 'KLINE_SIMULATOR'
  | 'KLINE_SIMULATOR_SYMBOLS'
  | 'KLINE_SIMULATOR_RATE'
> &
  Partial<Pick<KlineServiceConfig, 'LOG_FILE' | 'TRUSTED_PROXIES'>>;

export interface BuildOptions {
  /** Test hook: capture the JSON log lines. */
  logStream?: { write(line: string): unknown };
  /** Test hook: the market clock deciding the WebSocket closed flag. */
  clock?: () => number;
  /** Test hook: WebSocket coalescing period (default 100 ms = 10 updates/s per stream). */
  minFlushIntervalMs?: number;
}

const OPENAPI_DESCRIPTION =
  'Market data: trades in, OHLCV candles out (Binance-compatible klines over REST). Live candles: ' +
  'WebSocket at /kline/ws, a kline:read token at connect (Authorization: Bearer, or DPoP with a DPoP ' +
  'proof header, or from a browser the subprotocols ["kline.v1", "bearer.<token>"], never for a ' +
  'DPoP-bound token); send {"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1} ' +
  '(UNSUBSCRIBE, LIST_SUBSCRIPTIONS likewise) and receive Binance kline events with the x (closed) flag, ' +
  'at most 10 per second per stream. One token holds at most KLINE_WS_MAX_SOCKETS_PER_TOKEN sockets: ' +
  'the next upgrade is refused with 429 problem+json (type urn:problem:too_many_sockets) and no socket. ' +
  'A client that does not read (unsent events or replies beyond KLINE_WS_MAX_BUFFERED_BYTES) is ' +
  'disconnected without a close frame.';

interface KlineDatabases {
  writer: Database<KlineSchema>;
  reader: Database<KlineSchema>;
  close(): Promise<void>;
}

/** The parts that run while the service is up, set as start-up reaches them, stopped in reverse on close. */
interface LiveParts {
  simulator?: MarketSimulator;
  hub?: KlineHub;
  ingestor?: Ingestor;
}

/**
 * Two handles: ingest transactions hold the writer; reads (klines, symbols) use their own connection, so
 * on SQLite a query never waits for a whole ingest transaction (WAL lets it read beside the writer).
 */
async function openDatabases(url: string): Promise<KlineDatabases> {
  const writer = await openMigratedDatabase<KlineSchema>(url, migrations, { poolMax: 2 });
  const reader = createDatabase<KlineSchema>(url);
  const close = async () => {
    await Promise.allSettled([writer.close(), reader.close()]);
  };
  return { writer, reader, close };
}

function createKlineApp(
  config: AppConfig,
  options: BuildOptions,
  databases: KlineDatabases,
  live: LiveParts,
): Promise<App> {
  return createApp({
    name: 'kline-service',
    logLevel: config.LOG_LEVEL,
    ...(config.TRUSTED_PROXIES ? { trustedProxies: config.TRUSTED_PROXIES } : {}),
    ...(config.LOG_FILE && !options.logStream ? { logFile: config.LOG_FILE } : {}),
    bodyLimit: BODY_LIMIT,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    readiness: { database: () => databases.reader.ping() },
    openapi: {
      path: '/kline/openapi.json',
      title: 'kline-service',
      version: '1.0.0',
      description: OPENAPI_DESCRIPTION,
    },
    onClose: async () => {
      live.simulator?.stop();
      // Calls already acknowledged are committed; anything still queued commits before the database closes.
      await live.ingestor?.idle();
      live.hub?.close();
      await databases.close();
    },
  });
}

/** The ingest path and the live-candle hub it feeds, seeded with each symbol's latest candles. */
async function startLiveData(
  app: App,
  config: AppConfig,
  options: BuildOptions,
  databases: KlineDatabases,
  metrics: KlineMetrics,
): Promise<{ hub: KlineHub; ingestor: Ingestor }> {
  const hub = new KlineHub({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.minFlushIntervalMs ? { minFlushIntervalMs: options.minFlushIntervalMs } : {}),
    maxBufferedBytes: config.KLINE_WS_MAX_BUFFERED_BYTES,
    onMessages: (count) => metrics.wsMessages.inc(count),
    onDrop: () => metrics.wsDropped.inc(),
  });
  const ingestor = new Ingestor({
    database: databases.writer,
    cacheSize: config.KLINE_CANDLE_CACHE,
    onCommit: (candles) => hub.publish(candles),
    log: app.log,
  });
  await ingestor.start();
  for (const symbol of ingestor.symbols()) {
    for (const interval of INTERVALS) {
      const candle = await latestCandle(databases.reader.db, symbol.symbol, interval);
      if (candle) hub.seed(candle);
    }
  }
  return { hub, ingestor };
}

async function registerRoutes(
  app: App,
  config: AppConfig,
  parts: { hub: KlineHub; ingestor: Ingestor; reader: KlineDatabases['reader']; metrics: KlineMetrics },
): Promise<void> {
  const { hub, ingestor, reader, metrics } = parts;
  // Before the bearer plugin: it must see a browser's subprotocol token as an Authorization header.
  acceptSubprotocolToken(app);
  await protectResource(app, {
    resource: config.TOKEN_AUDIENCE,
    issuer: config.OAUTH_ISSUER,
    jwksUri: config.OAUTH_JWKS_URL,
    realm: 'kline-service',
    scopes: SCOPES,
    resourceName: 'Platform market data (klines)',
  });
  ingestRoutes(app, ingestor, metrics);
  klineRoutes(app, { klines: (range) => queryKlinesJson(reader.db, range), ingestor, metrics });
  await wsRoutes(app, {
    hub,
    pingIntervalMs: config.KLINE_WS_PING_INTERVAL_MS,
    knownSymbol: (symbol) => ingestor.hasSymbol(symbol),
    clients: { inc: () => metrics.wsClients.inc(), dec: () => metrics.wsClients.dec() },
    maxSocketsPerToken: config.KLINE_WS_MAX_SOCKETS_PER_TOKEN,
  });
}

/** The in-process market simulator (KLINE_SIMULATOR): started once the server is ready. */
function createSimulator(
  app: App,
  config: AppConfig,
  ingestor: Ingestor,
  metrics: KlineMetrics,
): MarketSimulator {
  const simulator = new MarketSimulator({
    symbols: config.KLINE_SIMULATOR_SYMBOLS,
    tradesPerSecond: config.KLINE_SIMULATOR_RATE,
    start: ingestor.symbols(),
    // The same validation and ingest path as POST /kline/api/v1/trades.
    submit: async (batch) => {
      const result = validateBatch({ trades: batch }, Date.now());
      if (!result.ok) throw new Error(`simulator produced invalid trades: ${result.message}`);
      const outcome = await ingestor.submit(result.trades);
      metrics.tradesIngested.inc(outcome.accepted);
    },
    onError: (error) => app.log.error({ err: error }, 'market simulator batch failed'),
  });
  app.addHook('onReady', async () => {
    simulator.start();
    app.log.info(
      { symbols: config.KLINE_SIMULATOR_SYMBOLS },
      'market simulator running (KLINE_SIMULATOR=true)',
    );
  });
  return simulator;
}

export async function buildKlineService(config: AppConfig, options: BuildOptions = {}): Promise<App> {
  const databases = await openDatabases(config.DATABASE_URL);
  const live: LiveParts = {};
  const app = await createKlineApp(config, options, databases, live);
  const metrics = createKlineMetrics(app.metrics.registry);
  const { hub, ingestor } = await startLiveData(app, config, options, databases, metrics);
  Object.assign(live, { hub, ingestor });
  await registerRoutes(app, config, { hub, ingestor, reader: databases.reader, metrics });
  if (config.KLINE_SIMULATOR) live.simulator = createSimulator(app, config, ingestor, metrics);
  return app;
}
