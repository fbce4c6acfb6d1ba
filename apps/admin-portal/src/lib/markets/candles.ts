// The Markets page's data model, kept free of React and of the chart library so it can be tested alone.
// kline-service speaks Binance: REST rows are arrays `[openTime, "open", "high", "low", "close", "volume",
// closeTime, "quoteVolume", trades, "takerBuyBase", "takerBuyQuote", "0"]` and WebSocket events are
// `{"e":"kline","s":…,"k":{t,T,s,i,o,c,h,l,v,n,x,…}}`. Decimals arrive as strings; the chart draws numbers,
// so they are converted here, at the edge, and only for drawing (nothing is computed back from them).

export interface Candle {
  /** Open time, epoch milliseconds (UTC). */
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  /** Whether the candle is final (`x` on the WebSocket; REST rows whose close time has passed). */
  closed: boolean;
}

const decimal = (value: unknown, field: string): number => {
  const n = typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n))
    throw new Error(`kline ${field} is not a decimal string: ${JSON.stringify(value)}`);
  return n;
};

const integer = (value: unknown, field: string): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new Error(`kline ${field} is not an integer: ${JSON.stringify(value)}`);
  return value;
};

/** One REST row (Binance field order) as a candle; throws on a malformed row rather than drawing garbage. */
export function candleFromRow(row: unknown, now = Date.now()): Candle {
  if (!Array.isArray(row) || row.length < 9) throw new Error('kline row is not a Binance kline array');
  const closeTime = integer(row[6], 'closeTime');
  return {
    openTime: integer(row[0], 'openTime'),
    open: decimal(row[1], 'open'),
    high: decimal(row[2], 'high'),
    low: decimal(row[3], 'low'),
    close: decimal(row[4], 'close'),
    volume: decimal(row[5], 'volume'),
    closeTime,
    trades: integer(row[8], 'trades'),
    closed: closeTime < now,
  };
}

/** A REST response body (an array of rows) as candles, ascending by open time. */
export function candlesFromRows(body: unknown, now = Date.now()): Candle[] {
  if (!Array.isArray(body)) throw new Error('klines response is not an array');
  return body.map((row) => candleFromRow(row, now)).sort((a, b) => a.openTime - b.openTime);
}

/**
 * Merges a page of candles into the series: ascending, one candle per open time, the page's version winning
 * (it is the newer read). Used both for older history (scrolling left) and for a reload after reconnecting.
 */
export function mergeCandles(series: readonly Candle[], page: readonly Candle[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const candle of series) byTime.set(candle.openTime, candle);
  for (const candle of page) byTime.set(candle.openTime, candle);
  return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
}

/** The `endTime` that asks the service for the page just before `series` (Binance paging), or null if empty. */
export function olderPageEnd(series: readonly Candle[]): number | null {
  const first = series[0];
  return first ? first.openTime - 1 : null;
}

export interface KlineEvent {
  symbol: string;
  interval: string;
  candle: Candle;
}

/** A WebSocket message as a kline event, or null for anything else (subscription acks, errors). */
export function klineEventFrom(message: unknown): KlineEvent | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as { e?: unknown; s?: unknown; k?: Record<string, unknown> };
  if (m.e !== 'kline' || typeof m.k !== 'object' || m.k === null) return null;
  const k = m.k;
  if (typeof k.s !== 'string' || typeof k.i !== 'string') return null;
  return {
    symbol: k.s,
    interval: k.i,
    candle: {
      openTime: integer(k.t, 't'),
      closeTime: integer(k.T, 'T'),
      open: decimal(k.o, 'o'),
      high: decimal(k.h, 'h'),
      low: decimal(k.l, 'l'),
      close: decimal(k.c, 'c'),
      volume: decimal(k.v, 'v'),
      trades: integer(k.n, 'n'),
      closed: k.x === true,
    },
  };
}

/**
 * What a live candle does to the series: `update` replaces the candle with the same open time (the forming
 * candle, or a closed one a late trade changed), `append` adds a newer one, `insert` places one between
 * existing candles (a late trade in an interval that had none), and the result is the new series.
 */
export function applyLiveCandle(
  series: readonly Candle[],
  candle: Candle,
): { series: Candle[]; change: 'update' | 'append' | 'insert' } {
  const last = series.at(-1);
  if (!last || candle.openTime > last.openTime) return { series: [...series, candle], change: 'append' };
  if (candle.openTime === last.openTime)
    return { series: [...series.slice(0, -1), candle], change: 'update' };
  const index = series.findIndex((c) => c.openTime >= candle.openTime);
  const copy = [...series];
  if (series[index]?.openTime === candle.openTime) {
    copy[index] = candle;
    return { series: copy, change: 'update' };
  }
  copy.splice(index, 0, candle);
  return { series: copy, change: 'insert' };
}

/** The WebSocket stream name of a symbol and interval (Binance: lower-case symbol). */
export const streamName = (symbol: string, interval: string) => `${symbol.toLowerCase()}@kline_${interval}`;
