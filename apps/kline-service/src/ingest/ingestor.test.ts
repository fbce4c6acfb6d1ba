import { createDatabase } from '@platform/db';
import { createTempDatabase, describeEachDialect, type TempDatabase } from '@platform/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlineSchema } from '../db/schema.ts';
import { type KlineDatabase, queryKlines } from '../db/store.ts';
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

// A trigger on the symbols table, the last write of a group's candle stage: it holds a group there (and
// on PostgreSQL lets the next group load meanwhile) and fails a group that carries FAILUSDT.
async function holdAndFailOnSymbols(database: KlineDatabase) {
  if (database.dialect === 'postgres') {
    await sql`create function hold_symbols() returns trigger language plpgsql as $$
      begin
        if new.symbol in ('SLOWUSDT', 'FAILUSDT') then perform pg_sleep(0.5); end if;
        if new.symbol = 'FAILUSDT' then raise exception 'FAILUSDT refused by the test'; end if;
        return new;
      end $$`.execute(database.db);
    await sql`create trigger hold_symbols before insert or update on symbols
      for each row execute function hold_symbols()`.execute(database.db);
    return async () => {
      await sql`drop trigger hold_symbols on symbols`.execute(database.db);
      await sql`drop function hold_symbols()`.execute(database.db);
    };
  }
  await sql`create trigger fail_symbols before insert on symbols when new.symbol = 'FAILUSDT'
    begin select raise(abort, 'FAILUSDT refused by the test'); end`.execute(database.db);
  return async () => {
    await sql`drop trigger fail_symbols`.execute(database.db);
  };
}

const storedIds = async (database: KlineDatabase, symbol: string) =>
  (
    await database.db
      .selectFrom('trades')
      .select('trade_id')
      .where('symbol', '=', symbol)
      .orderBy('trade_id')
      .execute()
  ).map((row) => Number(row.trade_id));

/** An ingestor on `url` with holdAndFailOnSymbols in place, all undone after `body`. */
async function withHeldSymbols(
  url: string,
  body: (context: { database: KlineDatabase; ingestor: Ingestor; published: Candle[][] }) => Promise<void>,
) {
  const database = createDatabase<KlineSchema>(url);
  const restore = await holdAndFailOnSymbols(database);
  const published: Candle[][] = [];
  const ingestor = new Ingestor({ database, onCommit: (c) => published.push(c) });
  await ingestor.start();
  try {
    await body({ database, ingestor, published });
  } finally {
    await ingestor.idle();
    await restore();
    await database.close();
  }
}

const at = Date.parse('2024-04-04T00:00:00Z');
const trade = (symbol: string, id: number, qty = '1') => ({
  symbol,
  id,
  price: '10',
  qty,
  time: at + id * 1000,
  takerSide: 'sell',
});

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

  it('counts once an id that a group repeats from the group still in flight before it', async () => {
    await withHeldSymbols(temp().url, async ({ database, ingestor }) => {
      // The first call starts a group at once; the second queues and becomes the next group, which on
      // PostgreSQL loads while the first is held, its COPY waiting on the first's uncommitted id 2.
      const first = ingestor.submit(trades([trade('SLOWUSDT', 1), trade('TWOUSDT', 1), trade('TWOUSDT', 2)]));
      const second = ingestor.submit(trades([trade('TWOUSDT', 2, '5'), trade('TWOUSDT', 3)]));
      expect(await first).toEqual({ accepted: 3, duplicates: 0 });
      expect(await second).toEqual({ accepted: 1, duplicates: 1 });
      expect(await storedIds(database, 'TWOUSDT')).toEqual([1, 2, 3]);
      const day = await queryKlines(database.db, { symbol: 'TWOUSDT', interval: '1d', limit: 10 });
      // Volume 3 and 3 trades: id 2 counted once, with the first write's quantity.
      expect(day.map((k) => [k[5], k[8]])).toEqual([['3.00000000', 3]]);
      expect(ingestor.stats()).toMatchObject({ transactions: 2, trades: 4, duplicates: 1 });
    });
  });

  it('stores the ids a failed group carried when the next group repeats them, aggregating only what was committed', async () => {
    await withHeldSymbols(temp().url, async ({ database, ingestor, published }) => {
      const failing = ingestor.submit(
        trades([trade('FAILUSDT', 1), trade('RETUSDT', 10), trade('RETUSDT', 11)]),
      );
      const next = ingestor.submit(trades([trade('RETUSDT', 11), trade('RETUSDT', 12)]));
      await expect(failing).rejects.toMatchObject({ status: 503, code: 'storage_unavailable' });
      // Id 11 was the failed group's, rolled back: new for this one, not a duplicate.
      expect(await next).toEqual({ accepted: 2, duplicates: 0 });
      expect(await storedIds(database, 'RETUSDT')).toEqual([11, 12]);
      expect(await storedIds(database, 'FAILUSDT')).toEqual([]);
      const day = await queryKlines(database.db, { symbol: 'RETUSDT', interval: '1d', limit: 10 });
      expect(day.map((k) => [k[5], k[8]])).toEqual([['2.00000000', 2]]);
      // Nothing of the failed group reached memory or the subscribers.
      expect(ingestor.hasSymbol('FAILUSDT')).toBe(false);
      expect(ingestor.symbols().find((s) => s.symbol === 'RETUSDT')?.trades).toBe(2);
      expect(published.flat().some((c) => c.symbol === 'FAILUSDT')).toBe(false);
      expect(published.flat().find((c) => c.symbol === 'RETUSDT' && c.interval === '1d')?.trades).toBe(2);
    });
  });

  it('stores and counts every id once when many concurrent calls overlap', async () => {
    // 40 calls at once, each 60 trades drawn from 3 symbols × 120 ids, so calls repeat each other's ids
    // within a group, across the groups in flight and against ids already committed. Two calls per group
    // at most, so there are many groups.
    const database = createDatabase<KlineSchema>(temp().url);
    const ingestor = new Ingestor({ database, maxGroupTrades: 120 });
    await ingestor.start();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * n);
    };
    const symbols = ['OVAUSDT', 'OVBUSDT', 'OVCUSDT'];
    // Each (symbol, id) always carries the same values, as a retried trade does.
    const item = (symbol: string, id: number) => ({
      symbol,
      id,
      price: `${10 + (id % 7)}`,
      qty: `0.${1 + (id % 9)}`,
      time: at + id * 1000,
      takerSide: id % 2 ? 'buy' : 'sell',
    });
    const batches = Array.from({ length: 40 }, () => {
      const byKey = new Map<string, object>();
      while (byKey.size < 60) {
        const symbol = symbols[random(3)]!;
        const id = random(120);
        byKey.set(`${symbol}|${id}`, item(symbol, id));
      }
      return [...byKey.values()];
    });
    const results = await Promise.all(batches.map((batch) => ingestor.submit(trades(batch))));
    const unique = new Set(
      batches.flat().map((t) => `${(t as { symbol: string }).symbol}|${(t as { id: number }).id}`),
    );
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(unique.size);
    expect(results.every((r) => r.accepted + r.duplicates === 60)).toBe(true);
    expect(ingestor.stats().transactions).toBeGreaterThanOrEqual(20);
    for (const symbol of symbols) {
      const ids = [...unique]
        .filter((key) => key.startsWith(`${symbol}|`))
        .map((key) => Number(key.split('|')[1]));
      ids.sort((a, b) => a - b);
      expect(await storedIds(database, symbol)).toEqual(ids);
      const volume = ids.reduce((sum, id) => sum + (1 + (id % 9)), 0);
      const day = await queryKlines(database.db, { symbol, interval: '1d', limit: 10 });
      // One candle for the day: every stored id counted once, its quantity (0.1–0.9) once.
      expect(day.map((k) => [k[8], k[5]])).toEqual([
        [ids.length, `${Math.floor(volume / 10)}.${volume % 10}0000000`],
      ]);
    }
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

// SQLite has one writer: there groups run one at a time (pipeline 1), which the suites above cover.
describe('[postgres] Ingestor pipeline', () => {
  let temp: TempDatabase | undefined;
  beforeAll(async () => {
    temp = await createTempDatabase('postgres');
    await migrate(temp.url);
  });
  afterAll(async () => {
    await temp?.drop();
  });

  it('loads the next group while the one before writes its candles', async () => {
    const observer = createDatabase<KlineSchema>(temp!.url);
    try {
      await withHeldSymbols(temp!.url, async ({ ingestor, published }) => {
        const first = ingestor.submit(trades([trade('SLOWUSDT', 100)]));
        const second = ingestor.submit(trades([trade('PIPEUSDT', 1), trade('PIPEUSDT', 2)]));
        // While the first group sleeps in its candle stage, the second has written its trades in a
        // transaction of its own: two open transactions of the ingestor hold a transaction id.
        let writers = 0;
        const deadline = Date.now() + 2000;
        while (Date.now() < deadline && writers < 2) {
          const row = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and backend_xid is not null and pid <> pg_backend_pid()`.execute(
            observer.db,
          );
          writers = row.rows[0]!.n;
        }
        expect(writers).toBe(2);
        expect(await first).toEqual({ accepted: 1, duplicates: 0 });
        expect(await second).toEqual({ accepted: 2, duplicates: 0 });
        // Committed and published in queue order.
        expect(published.map((candles) => candles[0]!.symbol)).toEqual(['SLOWUSDT', 'PIPEUSDT']);
      });
    } finally {
      await observer.close();
    }
  });

  it('refuses a pipeline other than 1 or 2', () => {
    const database = createDatabase<KlineSchema>(temp!.url);
    expect(() => new Ingestor({ database, pipeline: 3 as 2 })).toThrow(/pipeline must be 1 or 2/);
    void database.close();
  });
});
