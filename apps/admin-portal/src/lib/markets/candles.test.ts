import { describe, expect, it } from 'vitest';
import {
  applyLiveCandle,
  type Candle,
  candleFromRow,
  candlesFromRows,
  klineEventFrom,
  mergeCandles,
  olderPageEnd,
  streamName,
} from './candles.ts';

const MINUTE = 60_000;
const row = (openTime: number, close = '101.5') => [
  openTime,
  '100.00',
  '102.25',
  '99.75',
  close,
  '3.5',
  openTime + MINUTE - 1,
  '353.1',
  7,
  '1.5',
  '150.2',
  '0',
];
const candle = (openTime: number, close = 1): Candle => ({
  openTime,
  closeTime: openTime + MINUTE - 1,
  open: 1,
  high: close,
  low: 1,
  close,
  volume: 1,
  trades: 1,
  closed: false,
});

describe('candles from Binance kline arrays', () => {
  it('maps the fields in Binance order, decimals from strings', () => {
    expect(candleFromRow(row(0), 10 * MINUTE)).toEqual({
      openTime: 0,
      open: 100,
      high: 102.25,
      low: 99.75,
      close: 101.5,
      volume: 3.5,
      closeTime: MINUTE - 1,
      trades: 7,
      closed: true,
    });
  });

  it('marks a candle whose close time has not passed as still forming', () => {
    expect(candleFromRow(row(0), MINUTE - 2).closed).toBe(false);
  });

  it('sorts a response ascending', () => {
    expect(candlesFromRows([row(2 * MINUTE), row(0), row(MINUTE)]).map((c) => c.openTime)).toEqual([
      0,
      MINUTE,
      2 * MINUTE,
    ]);
  });

  it('refuses malformed rows and bodies instead of drawing garbage', () => {
    expect(() => candleFromRow({})).toThrow(/not a Binance kline array/);
    expect(() => candleFromRow(row(0).slice(0, 5))).toThrow(/not a Binance kline array/);
    expect(() => candleFromRow(row(0, 'abc'))).toThrow(/close is not a decimal/);
    const numberPrice = row(0);
    numberPrice[1] = 100; // decimals must be strings, never floats on the wire
    expect(() => candleFromRow(numberPrice)).toThrow(/open is not a decimal/);
    const badTime = row(0);
    badTime[0] = '0';
    expect(() => candleFromRow(badTime)).toThrow(/openTime is not an integer/);
    expect(() => candlesFromRows({ code: 'unknown_symbol' })).toThrow(/not an array/);
  });
});

describe('merging history pages', () => {
  it('prepends an older page, ascending and without duplicates', () => {
    const series = [candle(3 * MINUTE), candle(4 * MINUTE)];
    const older = [candle(MINUTE), candle(2 * MINUTE), candle(3 * MINUTE, 9)];
    const merged = mergeCandles(series, older);
    expect(merged.map((c) => c.openTime)).toEqual([MINUTE, 2 * MINUTE, 3 * MINUTE, 4 * MINUTE]);
    expect(merged[2]?.close).toBe(9); // the page read later wins
  });

  it('pages left from the first candle (endTime = first openTime - 1), nothing when empty', () => {
    expect(olderPageEnd([candle(5 * MINUTE), candle(6 * MINUTE)])).toBe(5 * MINUTE - 1);
    expect(olderPageEnd([])).toBeNull();
  });
});

describe('live WebSocket candles', () => {
  const event = (t: number, c: string, x: boolean) => ({
    e: 'kline',
    E: t + 5,
    s: 'BTCUSDT',
    k: {
      t,
      T: t + MINUTE - 1,
      s: 'BTCUSDT',
      i: '1m',
      f: 1,
      L: 2,
      o: '100',
      c,
      h: '105',
      l: '99',
      v: '2.5',
      n: 2,
      x,
      q: '250',
      V: '1',
      Q: '100',
      B: '0',
    },
  });

  it('reads kline events and the closed flag', () => {
    const parsed = klineEventFrom(event(MINUTE, '104', true));
    expect(parsed).toEqual({
      symbol: 'BTCUSDT',
      interval: '1m',
      candle: {
        openTime: MINUTE,
        closeTime: 2 * MINUTE - 1,
        open: 100,
        high: 105,
        low: 99,
        close: 104,
        volume: 2.5,
        trades: 2,
        closed: true,
      },
    });
    expect(klineEventFrom(event(MINUTE, '104', false))?.candle.closed).toBe(false);
  });

  it('ignores acknowledgements, errors and other messages', () => {
    expect(klineEventFrom({ result: null, id: 1 })).toBeNull();
    expect(klineEventFrom({ error: { code: 2, msg: 'bad' }, id: 2 })).toBeNull();
    expect(klineEventFrom(null)).toBeNull();
    expect(klineEventFrom('kline')).toBeNull();
    expect(() => klineEventFrom(event(MINUTE, 'NaN?', false))).toThrow(/c is not a decimal/);
  });

  it('updates the forming candle, appends the next, and places a late one in order', () => {
    const series = [candle(0), candle(2 * MINUTE)];
    const updated = applyLiveCandle(series, candle(2 * MINUTE, 7));
    expect(updated.change).toBe('update');
    expect(updated.series.map((c) => c.close)).toEqual([1, 7]);
    expect(series[1]?.close).toBe(1); // the input is not mutated (React state)

    const appended = applyLiveCandle(updated.series, candle(3 * MINUTE, 8));
    expect(appended.change).toBe('append');
    expect(appended.series.map((c) => c.openTime)).toEqual([0, 2 * MINUTE, 3 * MINUTE]);

    const late = applyLiveCandle(appended.series, candle(MINUTE, 5));
    expect(late.change).toBe('insert');
    expect(late.series.map((c) => c.openTime)).toEqual([0, MINUTE, 2 * MINUTE, 3 * MINUTE]);

    const lateUpdate = applyLiveCandle(late.series, candle(0, 6));
    expect(lateUpdate.change).toBe('update');
    expect(lateUpdate.series[0]?.close).toBe(6);
    expect(lateUpdate.series).toHaveLength(4);

    expect(applyLiveCandle([], candle(0)).change).toBe('append');
  });

  it('names streams the way kline-service expects', () => {
    expect(streamName('BTCUSDT', '1m')).toBe('btcusdt@kline_1m');
  });
});
