import {
  boolean,
  list,
  loadConfig,
  resourceServerShape,
  resourceServerUrls,
  serviceShape,
  z,
} from '@platform/config';

// kline-service's whole configuration, validated once at start-up (README, "Configuration").
export const configShape = {
  ...serviceShape('kline-service', 3003),
  ...resourceServerShape,
  /** WebSocket server ping period; a client missing one pong is dropped. */
  KLINE_WS_PING_INTERVAL_MS: z.coerce.number().int().min(1000).max(300_000).default(20_000),
  /** Unsent bytes a WebSocket client may have queued before it is dropped as a slow consumer. */
  KLINE_WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .max(256 * 1024 * 1024)
    .default(1024 * 1024),
  /** WebSockets one access token (by its jti) may hold open; the next upgrade is refused with 429. */
  KLINE_WS_MAX_SOCKETS_PER_TOKEN: z.coerce.number().int().min(1).max(10_000).default(16),
  /** Committed candles kept in memory for ingest (the rest are read from the database when touched). */
  KLINE_CANDLE_CACHE: z.coerce.number().int().min(0).max(10_000_000).default(50_000),
  /** Runs the market simulator inside the service (off by default): random-walk trades for a few symbols. */
  KLINE_SIMULATOR: boolean(false),
  KLINE_SIMULATOR_SYMBOLS: list(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']),
  /** Simulated trades per second, per symbol. */
  KLINE_SIMULATOR_RATE: z.coerce.number().int().min(1).max(10_000).default(5),
};

export type KlineServiceConfig = ReturnType<typeof loadKlineServiceConfig>;

export function loadKlineServiceConfig(env?: Record<string, string | undefined>) {
  const raw = loadConfig(configShape, env);
  return { ...raw, ...resourceServerUrls(raw, 'kline') };
}
