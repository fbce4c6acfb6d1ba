import { createDatabase } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { KlineSchema } from '../db/schema.ts';
import { queryKlines } from '../db/store.ts';
import type { Candle } from '../market/candle.ts';
import { migrate } from '../test/harness.ts';
import { ON_TIME } from '../test/market-fixture.ts';
import { Ingestor } from './ingestor.ts';
import { validateBatch } from './validate.ts';

const trades = (items: readonly object[]) => {
  const result = validateBatch({ trades: items }, Date.now());
  if (!result.ok) throw new Error(result.message);
  return result.trades;
};

describeEachDialect('Ingestor', (temp) => {
  it('groups concurrent calls into few transactions and resolves each with its own counts', async () => {
    await migrate(temp().url);
    const database = createDatabase<KlineSchema>(temp().url);
    const published: Candle[][] = [];
    const ingestor = new Ingestor({ database, onCommit: (c) => published.push(c) });
    await ingestor.start();
    const base = Date.parse('2024-04-01T00:00:00Z');
    const calls = Array.from({ length: 20 }, (_, call) =>
      ingestor.submit(
        trades(
          Array.from({ length: 50 }, (_, i) => ({
            symbol: 'GRPUSDT',
            id: call * 50 + i,
            price: '1',
            qty: '1',
            time: base + call * 1000 + i,
            takerSide: 'buy',
          })),
        ),
      ),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.accepted === 50 && r.duplicates === 0)).toBe(true);
    const stats = ingestor.stats();
    expect(stats.trades).toBe(1000);
    // The first call commits alone; the 19 queued behind it share the next transaction.
    expect(stats.transactions).toBeLessThanOrEqual(3);
    const day = await queryKlines(database.db, { symbol: 'GRPUSDT', interval: '1d', limit: 10 });
    expect(day.map((k) => [k[5], k[8]])).toEqual([['1000.00000000', 1000]]);
    expect(published.flat().some((c) => c.interval === '1s')).toBe(true);
    await database.close();
  });

  it('applies nothing and fails every call of a transaction that fails, then recovers', async () => {
    const database = createDatabase<KlineSchema>(temp().url);
    const ingestor = new Ingestor({ database });
    await ingestor.start();
    // Break the candles table so the transaction fails after the trades were inserted.
    await sql`alter table candles rename to candles_away`.execute(database.db);
    const failing = ingestor.submit(trades(ON_TIME));
    await expect(failing).rejects.toMatchObject({ status: 503, code: 'storage_unavailable' });
    await sql`alter table candles_away rename to candles`.execute(database.db);
    // The trades were rolled back with the failed transaction, so they are new now, not duplicates.
    expect(await ingestor.submit(trades(ON_TIME))).toEqual({ accepted: 4, duplicates: 0 });
    const month = await queryKlines(database.db, { symbol: 'BTCUSDT', interval: '1M', limit: 10 });
    expect(month.map((k) => k[8])).toEqual([4]);
    expect(ingestor.symbols().find((s) => s.symbol === 'BTCUSDT')?.trades).toBe(4);
    await database.close();
  });

  it('stores only the new trades of a group that repeats stored ones, and aggregates only those', async () => {
    // On PostgreSQL the fast load (COPY) fails on the stored trade and the group takes the skipping insert.
    const database = createDatabase<KlineSchema>(temp().url);
    const ingestor = new Ingestor({ database });
    await ingestor.start();
    const time = Date.parse('2024-04-03T00:00:00Z');
    const trade = (id: number, price: string) => ({
      symbol: 'MIXUSDT',
      id,
      price,
      qty: '1',
      time: time + id * 1000,
      takerSide: 'buy',
    });
    expect(await ingestor.submit(trades([trade(1, '10'), trade(2, '20')]))).toEqual({
      accepted: 2,
      duplicates: 0,
    });
    // Ids 1 and 2 again, with other prices (first write wins), between two new ones.
    expect(
      await ingestor.submit(trades([trade(0, '5'), trade(1, '99'), trade(2, '99'), trade(3, '30')])),
    ).toEqual({ accepted: 2, duplicates: 2 });
    const stored = await database.db
      .selectFrom('trades')
      .select(['trade_id', 'price'])
      .where('symbol', '=', 'MIXUSDT')
      .orderBy('trade_id')
      .execute();
    expect(stored.map((r) => [Number(r.trade_id), Number(r.price)])).toEqual([
      [0, 5],
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const day = await queryKlines(database.db, { symbol: 'MIXUSDT', interval: '1d', limit: 10 });
    // open 5 (id 0), high 30, low 5, close 30, volume 4, trades 4: the repeated ids counted once.
    expect(day.map((k) => [k[1], k[2], k[3], k[4], k[5], k[8]])).toEqual([
      ['5.00000000', '30.00000000', '5.00000000', '30.00000000', '4.00000000', 4],
    ]);
    expect(ingestor.stats()).toMatchObject({ trades: 4, duplicates: 2 });
    await database.close();
  });

  it('reads candles evicted from its cache back from the database', async () => {
    const database = createDatabase<KlineSchema>(temp().url);
    const ingestor = new Ingestor({ database, cacheSize: 1 });
    await ingestor.start();
    const time = Date.parse('2024-04-02T00:00:00Z');
    for (let i = 0; i < 5; i += 1) {
      await ingestor.submit(
        trades([
          { symbol: 'EVTUSDT', id: i, price: '2', qty: '0.5', time: time + i * 3_600_000, takerSide: 'sell' },
        ]),
      );
    }
    const day = await queryKlines(database.db, { symbol: 'EVTUSDT', interval: '1d', limit: 10 });
    expect(day.map((k) => [k[5], k[7], k[8]])).toEqual([['2.50000000', '5.00000000', 5]]);
    await database.close();
  });
});
