// One OHLCV candle and how trades fold into it. Values are exact scaled BigInts (see decimal.ts); which
// trade opens and closes a candle is decided by trade time, ties broken by trade id, never by arrival, so
// a late trade lands in its own historical candle and can become its open or close.
import { formatBase, formatQuote } from './decimal.ts';
import { closeTimeOf, INTERVALS, type Interval, openTimeOf } from './intervals.ts';

/** A validated trade. Prices and quantities at scale 8, `quote` = price × qty at scale 16. */
export interface Trade {
  symbol: string;
  id: number;
  price: bigint;
  qty: bigint;
  /** The validated input text of price and qty, stored as sent (a plain decimal of at most 8 decimals). */
  priceText: string;
  qtyText: string;
  quote: bigint;
  time: number;
  /** The taker bought (Binance's `isBuyerMaker: false`): counts toward the taker-buy volumes. */
  takerBuy: boolean;
}

export interface Candle {
  symbol: string;
  interval: Interval;
  openTime: number;
  closeTime: number;
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  /** Base volume, scale 8. */
  volume: bigint;
  /** Quote volume, scale 16. */
  quoteVolume: bigint;
  trades: number;
  takerBuyVolume: bigint;
  takerBuyQuoteVolume: bigint;
  /** The trade that set `open`: earliest by (time, id). */
  firstTradeTime: number;
  firstTradeId: number;
  /** The trade that set `close`: latest by (time, id). */
  lastTradeTime: number;
  lastTradeId: number;
}

/** Aggregated trades that have no interval yet (the same fields, used as a delta to merge). */
export type Partial = Omit<Candle, 'interval' | 'openTime' | 'closeTime'>;

const before = (timeA: number, idA: number, timeB: number, idB: number) =>
  timeA < timeB || (timeA === timeB && idA < idB);

export function partialOf(trade: Trade): Partial {
  return {
    symbol: trade.symbol,
    open: trade.price,
    high: trade.price,
    low: trade.price,
    close: trade.price,
    volume: trade.qty,
    quoteVolume: trade.quote,
    trades: 1,
    takerBuyVolume: trade.takerBuy ? trade.qty : 0n,
    takerBuyQuoteVolume: trade.takerBuy ? trade.quote : 0n,
    firstTradeTime: trade.time,
    firstTradeId: trade.id,
    lastTradeTime: trade.time,
    lastTradeId: trade.id,
  };
}

/** Folds `delta` (trades not counted in `target` yet) into `target`, in place. */
export function mergeInto(target: Partial, delta: Partial): void {
  if (delta.high > target.high) target.high = delta.high;
  if (delta.low < target.low) target.low = delta.low;
  if (before(delta.firstTradeTime, delta.firstTradeId, target.firstTradeTime, target.firstTradeId)) {
    target.open = delta.open;
    target.firstTradeTime = delta.firstTradeTime;
    target.firstTradeId = delta.firstTradeId;
  }
  if (before(target.lastTradeTime, target.lastTradeId, delta.lastTradeTime, delta.lastTradeId)) {
    target.close = delta.close;
    target.lastTradeTime = delta.lastTradeTime;
    target.lastTradeId = delta.lastTradeId;
  }
  target.volume += delta.volume;
  target.quoteVolume += delta.quoteVolume;
  target.trades += delta.trades;
  target.takerBuyVolume += delta.takerBuyVolume;
  target.takerBuyQuoteVolume += delta.takerBuyQuoteVolume;
}

export function candleFrom(interval: Interval, openTime: number, delta: Partial): Candle {
  return { ...delta, interval, openTime, closeTime: closeTimeOf(interval, openTime) };
}

export const candleKey = (symbol: string, interval: Interval, openTime: number) =>
  `${symbol}|${interval}|${openTime}`;

/** Folds one trade (not counted in `target` yet) into `target`, in place: mergeInto(target, partialOf(trade)). */
export function addTrade(target: Partial, trade: Trade): void {
  const price = trade.price;
  if (price > target.high) target.high = price;
  if (price < target.low) target.low = price;
  if (before(trade.time, trade.id, target.firstTradeTime, target.firstTradeId)) {
    target.open = price;
    target.firstTradeTime = trade.time;
    target.firstTradeId = trade.id;
  }
  if (before(target.lastTradeTime, target.lastTradeId, trade.time, trade.id)) {
    target.close = price;
    target.lastTradeTime = trade.time;
    target.lastTradeId = trade.id;
  }
  target.volume += trade.qty;
  target.quoteVolume += trade.quote;
  target.trades += 1;
  if (trade.takerBuy) {
    target.takerBuyVolume += trade.qty;
    target.takerBuyQuoteVolume += trade.quote;
  }
}

/**
 * Trades grouped into one partial per (symbol, second). Every interval is a whole number of seconds with
 * second-aligned boundaries, so merging these per-second partials into the 16 intervals gives the same
 * candles as merging every trade into each, at a fraction of the work when trades are dense.
 */
export type PerSecond = Array<{ second: number; partial: Partial }>;

export function perSecondPartials(trades: readonly Trade[]): PerSecond {
  const partials: PerSecond = [];
  // symbol → second → partial: no key string per trade.
  const bySymbol = new Map<string, Map<number, Partial>>();
  for (const trade of trades) {
    const second = Math.floor(trade.time / 1000) * 1000;
    let seconds = bySymbol.get(trade.symbol);
    if (!seconds) {
      seconds = new Map();
      bySymbol.set(trade.symbol, seconds);
    }
    const existing = seconds.get(second);
    if (existing) addTrade(existing, trade);
    else {
      const partial = partialOf(trade);
      seconds.set(second, partial);
      partials.push({ second, partial });
    }
  }
  return partials;
}

/** Where a partial lands: (symbol, interval, open time) for each of the 16 intervals. */
export function targetsOf(symbol: string, second: number) {
  return INTERVALS.map((interval) => {
    const openTime = openTimeOf(interval, second);
    return { interval, openTime, key: candleKey(symbol, interval, openTime) };
  });
}

export const cloneCandle = (candle: Candle): Candle => ({ ...candle });

/**
 * Binance's kline array: open time, open, high, low, close, volume, close time, quote volume, number of
 * trades, taker-buy base volume, taker-buy quote volume, and the unused field ("0").
 */
export type KlineArray = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

export function toKlineArray(candle: Candle): KlineArray {
  return [
    candle.openTime,
    formatBase(candle.open),
    formatBase(candle.high),
    formatBase(candle.low),
    formatBase(candle.close),
    formatBase(candle.volume),
    candle.closeTime,
    formatQuote(candle.quoteVolume),
    candle.trades,
    formatBase(candle.takerBuyVolume),
    formatQuote(candle.takerBuyQuoteVolume),
    '0',
  ];
}
