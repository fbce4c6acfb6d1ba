import { createDatabase, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { toKlineArray } from '../market/candle.ts';
import { migrations } from './migrations.ts';
import type { CandlesTable, KlineSchema } from './schema.ts';
import { fromRow, queryKlines } from './store.ts';

// A candle row as release 0001 wrote it (no `kline` column): decimals at their columns' scales.
const stored = (openTime: number, close: string): Omit<CandlesTable, 'kline'> => ({
  symbol: 'OLDUSDT',
  interval: '1m',
  open_time: openTime,
  close_time: openTime + 59_999,
  open: '100.00000000',
  high: '101.50000000',
  low: '99.25000000',
  close,
  volume: '2.00000000',
  quote_volume: '201.5000000000000000',
  trades: 2,
  taker_buy_volume: '1.00000000',
  taker_buy_quote_volume: '100.1234567890000000',
  first_trade_time: openTime,
  first_trade_id: openTime / 1000,
  last_trade_time: openTime + 1,
  last_trade_id: openTime / 1000 + 1,
});

describeEachDialect('kline-service migrations', (temp) => {
  it('0002 renders every candle stored before it, so the klines endpoint serves old data unchanged', async () => {
    const database = createDatabase<KlineSchema>(temp().url);
    await migrateToLatest(database, { '0001_market_data': migrations['0001_market_data']! });
    const minute = Date.parse('2024-05-01T00:00:00Z');
    // More rows than one backfill chunk, so the backfill must page.
    const rows = Array.from({ length: 1_203 }, (_, i) =>
      stored(minute + i * 60_000, `${100 + (i % 7)}.00000000`),
    );
    for (let start = 0; start < rows.length; start += 300)
      // biome-ignore lint/suspicious/noExplicitAny: the table as 0001 created it, without today's column.
      await (database.db as any)
        .insertInto('candles')
        .values(rows.slice(start, start + 300))
        .execute();

    await migrateToLatest(database, migrations);
    const served = await queryKlines(database.db, { symbol: 'OLDUSDT', interval: '1m', limit: 1000 });
    expect(served).toHaveLength(1000);
    const expected = rows.slice(-1000).map((row) => toKlineArray(fromRow({ ...row, kline: '' })));
    expect(served).toEqual(expected);
    expect(served[0]).toEqual([
      rows[203]!.open_time,
      '100.00000000',
      '101.50000000',
      '99.25000000',
      '100.00000000',
      '2.00000000',
      rows[203]!.open_time + 59_999,
      '201.50000000',
      2,
      '1.00000000',
      '100.123456789',
      '0',
    ]);
    const empty = await database.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kline', '=', '')
      .executeTakeFirstOrThrow();
    expect(Number(empty.n)).toBe(0);
    await database.close();
  });
});
