import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTERVALS } from '../market/intervals.ts';
import { type Harness, startHarness } from '../test/harness.ts';
import { EXPECTED, LATE, ON_TIME, SYMBOL } from '../test/market-fixture.ts';

describeEachDialect('ingest then query', (temp) => {
  let h: Harness;
  let write: Record<string, string>;
  let read: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    write = { authorization: `Bearer ${await h.token('kline:write')}` };
    read = { authorization: `Bearer ${await h.token('kline:read')}` };
  });
  afterAll(() => h.close());

  const ingest = (trades: readonly object[], headers = write) =>
    h.app.inject({ method: 'POST', url: '/kline/api/v1/trades', headers, payload: { trades } });
  const klines = async (query: string) => {
    const res = await h.app.inject({ method: 'GET', url: `/kline/api/v1/klines?${query}`, headers: read });
    return res;
  };

  it('stores a batch and answers with the counts once it is durable', async () => {
    const res = await ingest(ON_TIME);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 4, duplicates: 0 });
  });

  it('puts a late trade into its historical candle', async () => {
    expect((await ingest(LATE)).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('serves the hand-computed candles of every interval in Binance field order and types', async () => {
    for (const interval of INTERVALS) {
      const res = await klines(`symbol=${SYMBOL}&interval=${interval}`);
      expect(res.statusCode, interval).toBe(200);
      expect(res.json(), interval).toEqual(EXPECTED[interval]);
    }
  });

  it('ignores duplicate trade ids, including a whole batch sent twice, and changes no candle', async () => {
    const again = await ingest([...ON_TIME, ...LATE]);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 5 });
    // Same ids with other values are still duplicates of the stored trades (first write wins).
    const altered = await ingest([{ ...ON_TIME[0], price: '1' }]);
    expect(altered.json()).toEqual({ accepted: 0, duplicates: 1 });
    expect((await klines(`symbol=${SYMBOL}&interval=1M`)).json()).toEqual(EXPECTED['1M']);
  });

  it('counts two concurrent calls carrying the same id once', async () => {
    const trade = {
      symbol: 'ETHUSDT',
      id: 7,
      price: '10',
      qty: '1',
      time: Date.parse('2024-03-12T00:00:00Z'),
      takerSide: 'buy',
    };
    const [a, b] = await Promise.all([ingest([trade]), ingest([trade])]);
    expect(a.json().accepted + b.json().accepted).toBe(1);
    expect(a.json().duplicates + b.json().duplicates).toBe(1);
    const [candle] = (await klines('symbol=ETHUSDT&interval=1d')).json();
    expect(candle[8]).toBe(1);
  });

  it('applies the range and limit rules: startTime, endTime, latest-first limits', async () => {
    const at = (iso: string) => Date.parse(iso);
    const ones = EXPECTED['1s']!;
    expect((await klines(`symbol=${SYMBOL}&interval=1s&limit=2`)).json()).toEqual(ones.slice(2));
    expect(
      (await klines(`symbol=${SYMBOL}&interval=1s&startTime=${at('2024-03-10T23:59:59Z')}&limit=2`)).json(),
    ).toEqual(ones.slice(1, 3));
    expect(
      (await klines(`symbol=${SYMBOL}&interval=1s&endTime=${at('2024-03-11T00:00:00Z')}&limit=1`)).json(),
    ).toEqual(ones.slice(2, 3));
    expect(
      (
        await klines(
          `symbol=${SYMBOL}&interval=1s&startTime=${at('2024-03-10T23:59:58.001Z')}&endTime=${at('2024-03-11T00:00:29Z')}`,
        )
      ).json(),
    ).toEqual(ones.slice(1, 3));
    // An empty range is an empty array, not an error.
    expect(
      (await klines(`symbol=${SYMBOL}&interval=1m&startTime=${at('2030-01-01T00:00:00Z')}`)).json(),
    ).toEqual([]);
    // Lower-case symbols are accepted.
    expect((await klines('symbol=btcusdt&interval=1M')).json()).toEqual(EXPECTED['1M']);
  });

  it('lists the symbols with their last price and trade counts, and the intervals', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/kline/api/v1/symbols', headers: read });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      symbols: [
        {
          symbol: 'BTCUSDT',
          lastPrice: '98.00000000',
          trades: 5,
          firstTradeTime: Date.parse('2024-03-10T23:59:58.000Z'),
          lastTradeTime: Date.parse('2024-03-11T00:00:30.000Z'),
          lastTradeId: 4,
        },
        {
          symbol: 'ETHUSDT',
          lastPrice: '10.00000000',
          trades: 1,
          firstTradeTime: Date.parse('2024-03-12T00:00:00Z'),
          lastTradeTime: Date.parse('2024-03-12T00:00:00Z'),
          lastTradeId: 7,
        },
      ],
      intervals: [...INTERVALS],
    });
  });

  it('keeps everything across a restart, and keeps aggregating onto the stored candles', async () => {
    await h.restart();
    expect((await klines(`symbol=${SYMBOL}&interval=1w`)).json()).toEqual(EXPECTED['1w']);
    // Duplicates are still recognised after the restart (the trades are stored, not only remembered).
    expect((await ingest(ON_TIME)).json()).toEqual({ accepted: 0, duplicates: 4 });
    // A new trade in March merges onto the stored month candle (read back from the database).
    const res = await ingest([
      {
        symbol: SYMBOL,
        id: 6,
        price: '102.12345678',
        qty: '0.00000001',
        time: Date.parse('2024-03-20T00:00:00Z'),
        takerSide: 'buy',
      },
    ]);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const [month] = (await klines(`symbol=${SYMBOL}&interval=1M`)).json();
    // 898.5 + 102.12345678 × 0.00000001 = 898.5000010212345678 (exact: 16 decimals are kept).
    expect(month).toEqual([
      Date.parse('2024-03-01T00:00:00Z'),
      '100.00000000',
      '102.12345678',
      '98.00000000',
      '102.12345678',
      '9.00000001',
      Date.parse('2024-03-31T23:59:59.999Z'),
      '898.5000010212345678',
      6,
      '6.00000001',
      '598.0000010212345678',
      '0',
    ]);
  });

  it('counts ingested trades and served candles in /metrics', async () => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    // After the restart: one trade stored, four duplicates, one month candle served.
    expect(text).toMatch(/^kline_trades_ingested_total 1$/m);
    expect(text).toMatch(/^kline_trades_duplicate_total 4$/m);
    expect(text).toMatch(/^kline_candles_served_total [1-9]\d*$/m);
    expect(text).toMatch(/^kline_ws_clients 0$/m);
  });
});
