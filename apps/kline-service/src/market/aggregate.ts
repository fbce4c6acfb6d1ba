import { type Candle, candleFrom, cloneCandle, mergeInto, type PerSecond, targetsOf } from './candle.ts';

/** The candle keys (symbol|interval|openTime) that `trades` touch: what must be known before aggregating. */
export function touchedKeys(seconds: PerSecond): Set<string> {
  const keys = new Set<string>();
  for (const { second, partial } of seconds) {
    for (const target of targetsOf(partial.symbol, second)) keys.add(target.key);
  }
  return keys;
}

/**
 * Folds trades, grouped per second by `perSecondPartials` (each counted once: duplicates are filtered
 * before), into the candles of all 16 intervals.
 * `existing` gives the stored candle for a key, or undefined when none exists yet; it is never modified.
 * Returns the new state of every touched candle, by key.
 */
export function aggregate(
  seconds: PerSecond,
  existing: (key: string) => Candle | undefined,
): Map<string, Candle> {
  const updated = new Map<string, Candle>();
  for (const { second, partial } of seconds) {
    for (const { interval, openTime, key } of targetsOf(partial.symbol, second)) {
      const current = updated.get(key);
      if (current) {
        mergeInto(current, partial);
        continue;
      }
      const stored = existing(key);
      if (stored) {
        const copy = cloneCandle(stored);
        mergeInto(copy, partial);
        updated.set(key, copy);
      } else {
        updated.set(key, candleFrom(interval, openTime, { ...partial }));
      }
    }
  }
  return updated;
}
