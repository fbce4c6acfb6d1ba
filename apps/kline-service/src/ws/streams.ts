import { SYMBOL_PATTERN } from '../ingest/validate.ts';
import { type Interval, isInterval } from '../market/intervals.ts';

/** `<symbol>@kline_<interval>`; the symbol is case-insensitive (Binance writes it lower-case). */
export interface StreamName {
  /** Canonical name: lower-case symbol, e.g. `btcusdt@kline_1m`. */
  name: string;
  symbol: string;
  interval: Interval;
}

const STREAM = /^([A-Za-z0-9]{1,20})@kline_([0-9]{1,2}[smhdwM])$/;

export function parseStreamName(text: unknown): StreamName | null {
  if (typeof text !== 'string') return null;
  const match = STREAM.exec(text);
  if (!match) return null;
  const symbol = match[1]!.toUpperCase();
  const interval = match[2]!;
  if (!SYMBOL_PATTERN.test(symbol) || !isInterval(interval)) return null;
  return { name: `${symbol.toLowerCase()}@kline_${interval}`, symbol, interval };
}
