import { describe, expect, it } from 'vitest';
import { validateBatch } from '../ingest/validate.ts';
import { EXPECTED, LATE, ON_TIME, SYMBOL } from '../test/market-fixture.ts';
import { aggregate, touchedKeys } from './aggregate.ts';
import {
  addTrade,
  type Candle,
  mergeInto,
  partialOf,
  perSecondPartials,
  type Trade,
  toKlineArray,
} from './candle.ts';
import { INTERVALS } from './intervals.ts';

const trades = (items: readonly object[]): Trade[] => {
  const result = validateBatch({ trades: items }, Date.parse('2024-06-01T00:00:00Z'));
  if (!result.ok) throw new Error(result.message);
  return result.trades;
};

/** Applies batches one after the other, each on top of the state the previous ones left. */
function run(...batches: Trade[][]): Map<string, Candle> {
  const state = new Map<string, Candle>();
  for (const batch of batches) {
    for (const [key, candle] of aggregate(perSecondPartials(batch), (k) => state.get(k)))
      state.set(key, candle);
  }
  return state;
}

function klines(state: Map<string, Candle>, interval: string) {
  return [...state.values()]
    .filter((c) => c.symbol === SYMBOL && c.interval === interval)
    .sort((a, b) => a.openTime - b.openTime)
    .map(toKlineArray);
}

describe('aggregation against hand-computed candles', () => {
  const state = run(trades(ON_TIME), trades(LATE));
  for (const interval of INTERVALS) {
    it(`${interval}: boundaries, OHLCV, taker volumes; the late trade becomes the open`, () => {
      expect(klines(state, interval)).toEqual(EXPECTED[interval]);
    });
  }

  it('gives the same candles whatever the arrival order or batching', () => {
    const all = trades([...LATE, ...ON_TIME]);
    const reversed = run(trades([...ON_TIME].reverse()), trades(LATE));
    const oneByOne = run(...all.map((t) => [t]));
    for (const interval of INTERVALS) {
      expect(klines(reversed, interval)).toEqual(EXPECTED[interval]);
      expect(klines(oneByOne, interval)).toEqual(EXPECTED[interval]);
    }
  });

  it('never changes the candles it is given as existing state', () => {
    const before = run(trades(ON_TIME));
    const snapshot = JSON.stringify([...before.values()].map(toKlineArray));
    aggregate(perSecondPartials(trades(LATE)), (k) => before.get(k));
    expect(JSON.stringify([...before.values()].map(toKlineArray))).toBe(snapshot);
  });

  it('leaves intervals without trades absent', () => {
    const sparse = run(
      trades([
        {
          symbol: SYMBOL,
          id: 10,
          price: '1',
          qty: '1',
          time: Date.parse('2024-05-06T10:00:05Z'),
          takerSide: 'buy',
        },
        {
          symbol: SYMBOL,
          id: 11,
          price: '2',
          qty: '1',
          time: Date.parse('2024-05-06T10:03:10Z'),
          takerSide: 'buy',
        },
      ]),
    );
    const opens = (interval: string) =>
      klines(sparse, interval).map((k) => new Date(k[0] as number).toISOString());
    expect(opens('1m')).toEqual(['2024-05-06T10:00:00.000Z', '2024-05-06T10:03:00.000Z']);
    expect(opens('3m')).toEqual(['2024-05-06T10:00:00.000Z', '2024-05-06T10:03:00.000Z']);
    expect(opens('5m')).toEqual(['2024-05-06T10:00:00.000Z']);
    expect(opens('1s')).toEqual(['2024-05-06T10:00:05.000Z', '2024-05-06T10:03:10.000Z']);
    expect(klines(sparse, '5m')[0]!.slice(1, 5)).toEqual([
      '1.00000000',
      '2.00000000',
      '1.00000000',
      '2.00000000',
    ]);
  });

  it('breaks a tie in time by trade id: the lower id opens, the higher id closes', () => {
    const time = Date.parse('2024-05-06T10:00:00Z');
    const tied = run(
      trades([
        { symbol: SYMBOL, id: 21, price: '5', qty: '1', time, takerSide: 'buy' },
        { symbol: SYMBOL, id: 20, price: '4', qty: '1', time, takerSide: 'buy' },
      ]),
    );
    expect(klines(tied, '1m')[0]!.slice(1, 5)).toEqual([
      '4.00000000',
      '5.00000000',
      '4.00000000',
      '5.00000000',
    ]);
  });

  it('keeps symbols apart', () => {
    const time = Date.parse('2024-05-06T10:00:00Z');
    const two = run(
      trades([
        { symbol: 'AAA', id: 1, price: '5', qty: '1', time, takerSide: 'buy' },
        { symbol: 'BBB', id: 1, price: '7', qty: '2', time, takerSide: 'sell' },
      ]),
    );
    expect(
      [...two.values()].filter((c) => c.interval === '1h').map((c) => [c.symbol, toKlineArray(c)[5]]),
    ).toEqual([
      ['AAA', '1.00000000'],
      ['BBB', '2.00000000'],
    ]);
  });

  it('lists the 16 candle keys a lone trade touches', () => {
    const keys = touchedKeys(perSecondPartials(trades([ON_TIME[0]])));
    expect(keys.size).toBe(16);
    expect(keys.has(`${SYMBOL}|1w|${Date.parse('2024-03-04T00:00:00Z')}`)).toBe(true);
    expect(keys.has(`${SYMBOL}|1M|${Date.parse('2024-03-01T00:00:00Z')}`)).toBe(true);
  });
});

describe('addTrade', () => {
  it('folds a trade into a partial exactly as merging the trade’s own partial does', () => {
    // Times repeat and go back and forth so that every branch is taken: a new open, a new close, ties
    // broken by id either way, taker buys and sells, new highs and lows.
    const items = Array.from({ length: 60 }, (_, i) => ({
      symbol: 'ADDUSDT',
      id: (i * 37) % 61,
      price: `${100 + ((i * 13) % 17)}.${(i * 7) % 100}`,
      qty: `0.${1 + ((i * 11) % 97)}`,
      time: Date.parse('2024-05-01T00:00:00Z') + ((i * 29) % 7) * 100,
      takerSide: i % 3 === 0 ? 'buy' : 'sell',
    }));
    const all = trades(items);
    const viaAdd = partialOf(all[0]!);
    const viaMerge = partialOf(all[0]!);
    for (const trade of all.slice(1)) {
      addTrade(viaAdd, trade);
      mergeInto(viaMerge, partialOf(trade));
    }
    expect(viaAdd).toEqual(viaMerge);
    expect(viaAdd.trades).toBe(60);
  });
});
