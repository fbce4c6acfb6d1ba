import { protectResource } from '@platform/auth';
import { StartupError } from '@platform/config';
import { createDatabase, pendingMigrations } from '@platform/db';
import { createApp } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { KlineServiceConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import type { KlineSchema } from './db/schema.ts';
import { latestCandle } from './db/store.ts';
import { ingestRoutes } from './ingest/ingest.routes.ts';
import { Ingestor } from './ingest/ingestor.ts';
import { validateBatch } from './ingest/validate.ts';
import { klineRoutes } from './klines/klines.routes.ts';
import { INTERVALS } from './market/intervals.ts';
import { klineMetrics } from './metrics.ts';
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

export async function buildKlineService(
  config: AppConfig,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  // Two handles: ingest transactions hold the writer; reads (klines, symbols) use their own connection, so
  // on SQLite a query never waits for a whole ingest transaction (WAL lets it read beside the writer).
  const writer = createDatabase<KlineSchema>(config.DATABASE_URL, { poolMax: 2 });
  const reader = createDatabase<KlineSchema>(config.DATABASE_URL);
  const closeDatabases = async () => {
    await Promise.allSettled([writer.close(), reader.close()]);
  };
  const pending = await pendingMigrations(writer, migrations).catch(async (error: unknown) => {
    await closeDatabases();
    throw error;
  });
  if (pending.length > 0) {
    await closeDatabases();
    throw new StartupError(`database is not migrated (pending: ${pending.join(', ')}); run pnpm db:push`);
  }

  let simulator: MarketSimulator | null = null;
  let hub: KlineHub | null = null;
  let ingestor: Ingestor | null = null;
  const app = await createApp({
    name: 'kline-service',
    logLevel: config.LOG_LEVEL,
    ...(config.TRUSTED_PROXIES ? { trustedProxies: config.TRUSTED_PROXIES } : {}),
    ...(config.LOG_FILE && !options.logStream ? { logFile: config.LOG_FILE } : {}),
    bodyLimit: BODY_LIMIT,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    readiness: { database: () => reader.ping() },
    openapi: {
      path: '/kline/openapi.json',
      title: 'kline-service',
      version: '1.0.0',
      description:
        'Market data: trades in, OHLCV candles out (Binance-compatible klines over REST). Live candles: ' +
        'WebSocket at /kline/ws, a kline:read token at connect (Authorization: Bearer, or DPoP with a DPoP ' +
        'proof header, or from a browser the subprotocols ["kline.v1", "bearer.<token>"], never for a ' +
        'DPoP-bound token); send {"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1} ' +
        '(UNSUBSCRIBE, LIST_SUBSCRIPTIONS likewise) and receive Binance kline events with the x (closed) flag, ' +
        'at most 10 per second per stream. One token holds at most KLINE_WS_MAX_SOCKETS_PER_TOKEN sockets: ' +
        'the next upgrade is refused with 429 problem+json (type urn:problem:too_many_sockets) and no socket. ' +
        'A client that does not read (unsent events or replies beyond KLINE_WS_MAX_BUFFERED_BYTES) is ' +
        'disconnected without a close frame.',
    },
    onClose: async () => {
      simulator?.stop();
      // Calls already acknowledged are committed; anything still queued commits before the database closes.
      await ingestor?.idle();
      hub?.close();
      await closeDatabases();
    },
  });

  const metrics = klineMetrics(app.metrics.registry);
  hub = new KlineHub({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.minFlushIntervalMs ? { minFlushIntervalMs: options.minFlushIntervalMs } : {}),
    maxBufferedBytes: config.KLINE_WS_MAX_BUFFERED_BYTES,
    onMessages: (count) => metrics.wsMessages.inc(count),
    onDrop: () => metrics.wsDropped.inc(),
  });
  const liveHub = hub;
  ingestor = new Ingestor({
    database: writer,
    cacheSize: config.KLINE_CANDLE_CACHE,
    onCommit: (candles) => liveHub.publish(candles),
    log: app.log,
  });
  await ingestor.start();
  for (const symbol of ingestor.symbols()) {
    for (const interval of INTERVALS) {
      const candle = await latestCandle(reader.db, symbol.symbol, interval);
      if (candle) hub.seed(candle);
    }
  }

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

  const liveIngestor = ingestor;
  ingestRoutes(app, liveIngestor, metrics);
  klineRoutes(app, { reader, ingestor: liveIngestor, metrics });
  await wsRoutes(app, {
    hub,
    pingIntervalMs: config.KLINE_WS_PING_INTERVAL_MS,
    knownSymbol: (symbol) => liveIngestor.hasSymbol(symbol),
    clients: { inc: () => metrics.wsClients.inc(), dec: () => metrics.wsClients.dec() },
    maxSocketsPerToken: config.KLINE_WS_MAX_SOCKETS_PER_TOKEN,
  });

  if (config.KLINE_SIMULATOR) {
    simulator = new MarketSimulator({
      symbols: config.KLINE_SIMULATOR_SYMBOLS,
      tradesPerSecond: config.KLINE_SIMULATOR_RATE,
      start: liveIngestor.symbols(),
      // The same validation and ingest path as POST /kline/api/v1/trades.
      submit: async (batch) => {
        const result = validateBatch({ trades: batch }, Date.now());
        if (!result.ok) throw new Error(`simulator produced invalid trades: ${result.message}`);
        const outcome = await liveIngestor.submit(result.trades);
        metrics.tradesIngested.inc(outcome.accepted);
      },
      onError: (error) => app.log.error({ err: error }, 'market simulator batch failed'),
    });
    app.addHook('onReady', async () => {
      simulator?.start();
      app.log.info(
        { symbols: config.KLINE_SIMULATOR_SYMBOLS },
        'market simulator running (KLINE_SIMULATOR=true)',
      );
    });
  }
  return app;
}
