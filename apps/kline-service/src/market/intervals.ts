// The 16 kline intervals and their UTC boundaries. Fixed-length intervals are aligned to the Unix epoch
// (as Binance's are, 3d included); `1w` starts on Monday 00:00 UTC and `1M` is the calendar month.

export const INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;

export type Interval = (typeof INTERVALS)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// 1970-01-01 was a Thursday; the first Monday 00:00 UTC is four days later.
const FIRST_MONDAY = 4 * DAY;

const FIXED_MS: Record<Exclude<Interval, '1w' | '1M'>, number> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};

const INTERVAL_SET: ReadonlySet<string> = new Set(INTERVALS);

export function isInterval(value: unknown): value is Interval {
  return typeof value === 'string' && INTERVAL_SET.has(value);
}

const floorTo = (time: number, step: number, origin = 0) =>
  Math.floor((time - origin) / step) * step + origin;

/** Open time (ms) of the candle of `interval` that contains `time` (ms, UTC). */
export function openTimeOf(interval: Interval, time: number): number {
  if (interval === '1M') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  if (interval === '1w') return floorTo(time, WEEK, FIRST_MONDAY);
  return floorTo(time, FIXED_MS[interval]);
}

/** Open time of the candle after the one opening at `openTime`. */
export function nextOpenTime(interval: Interval, openTime: number): number {
  if (interval === '1M') {
    const date = new Date(openTime);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  if (interval === '1w') return openTime + WEEK;
  return openTime + FIXED_MS[interval];
}

/** Close time as Binance gives it: the last millisecond of the candle. */
export function closeTimeOf(interval: Interval, openTime: number): number {
  return nextOpenTime(interval, openTime) - 1;
}
