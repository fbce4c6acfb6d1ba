import { Counter, Gauge, type Registry } from 'prom-client';

/** The service's own metrics, beside the shared http_requests_total and http_request_duration_seconds. */
export function createKlineMetrics(registry: Registry) {
  return {
    tradesIngested: new Counter({
      name: 'kline_trades_ingested_total',
      help: 'Trades stored by ingest (duplicates excluded).',
      registers: [registry],
    }),
    tradesDuplicate: new Counter({
      name: 'kline_trades_duplicate_total',
      help: 'Ingested trades ignored because their (symbol, id) was already stored.',
      registers: [registry],
    }),
    candlesServed: new Counter({
      name: 'kline_candles_served_total',
      help: 'Candles returned by the klines endpoint.',
      registers: [registry],
    }),
    wsClients: new Gauge({
      name: 'kline_ws_clients',
      help: 'Open WebSocket connections.',
      registers: [registry],
    }),
    wsMessages: new Counter({
      name: 'kline_ws_messages_total',
      help: 'Kline events written to WebSocket clients.',
      registers: [registry],
    }),
    wsDropped: new Counter({
      name: 'kline_ws_slow_consumers_dropped_total',
      help: 'WebSocket clients disconnected because they did not keep up with their streams.',
      registers: [registry],
    }),
  };
}

export type KlineMetrics = ReturnType<typeof createKlineMetrics>;
