// Every SQL statement of the service: trades and candles written in one transaction per ingest group,
// candles and symbols read back. Dialect-agnostic Kysely throughout, except the PostgreSQL trade load
// (storeNewTradesPostgres says why).
import {
  copyTextFrom,
  type Database,
  type DialectName,
  isUniqueViolation,
  type Kysely,
  sql,
} from '@platform/db';
import { type Candle, candleKey, type KlineArray, type Trade, toKlineArray } from '../market/candle.ts';
import { BASE_SCALE, formatDecimal, parseStoredDecimal, QUOTE_SCALE } from '../market/decimal.ts';
import { type Interval, isInterval } from '../market/intervals.ts';
import { TradeKeyMap } from '../market/trade-keys.ts';
import { BulkInsert } from './bulk-insert.ts';
import type { CandlesTable, KlineSchema, SymbolsTable, TradesTable } from './schema.ts';

type Db = Kysely<KlineSchema>;

// Storage keeps the full scale of each column; what clients see is formatted by market/candle.ts.
const base = (value: bigint) => formatDecimal(value, BASE_SCALE);
const quote = (value: bigint) => formatDecimal(value, QUOTE_SCALE);

// 1,000 rows × 6 parameters: well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
const TRADE_CHUNK = 1000;
const CANDLE_CHUNK = 500;

export const TRADE_COLUMNS = ['symbol', 'trade_id', 'price', 'qty', 'time', 'taker_side'] as const;

const insertTrades = new BulkInsert<KlineSchema, TradesTable, { symbol: string; trade_id: number }>({
  columns: TRADE_COLUMNS,
  chunkSize: TRADE_CHUNK,
  build: (db: Db, rows) =>
    db
      .insertInto('trades')
      .values(rows)
      .onConflict((oc) => oc.columns(['symbol', 'trade_id']).doNothing())
      .returning(['symbol', 'trade_id']),
});

/**
 * Inserts the trades whose (symbol, id) is not stored yet and returns those it inserted, in input order (the
 * input itself when all were new): the others are duplicates of acknowledged trades and must not be counted
 * again. `trades` must not repeat a (symbol, id). `db` must be a transaction (the ingest group's): on
 * PostgreSQL the load runs under a savepoint.
 */
export async function storeNewTrades(
  db: Db,
  dialect: DialectName,
  trades: readonly Trade[],
): Promise<readonly Trade[]> {
  if (dialect === 'postgres') return storeNewTradesPostgres(db, trades);
  return insertedOf(trades, await insertTrades.execute(db, trades.map(tradeRow)));
}

export const tradeRow = (trade: Trade): TradesTable => ({
  symbol: trade.symbol,
  trade_id: trade.id,
  price: trade.priceText,
  qty: trade.qtyText,
  time: trade.time,
  taker_side: trade.takerBuy ? 'buy' : 'sell',
});

/**
 * tradeRow as a line of COPY's text format, in TRADE_COLUMNS order, written directly: at 200,000 trades a
 * second the generic copyFrom (a row object, an array, an escape check per value) cost twice as much. No
 * value needs escaping: a Trade is validated, so its symbol is [A-Z0-9], its decimals digits and a dot, and
 * the rest numbers. The test beside this file checks the line against copyTextRow of tradeRow.
 */
export const tradeCopyLine = (trade: Trade): string =>
  `${trade.symbol}\t${trade.id}\t${trade.priceText}\t${trade.qtyText}\t${trade.time}\t${trade.takerBuy ? 'buy' : 'sell'}\n`;

/** The trades whose keys a RETURNING clause reported inserted. */
function insertedOf(trades: readonly Trade[], keys: readonly StoredKey[]): readonly Trade[] {
  if (keys.length === trades.length) return trades;
  const inserted = new TradeKeyMap<true>();
  // pg returns bigint as number through @platform/db's type parser, SQLite as number.
  for (const key of keys) inserted.addNew(key.symbol, Number(key.trade_id), true);
  return trades.filter((trade) => inserted.has(trade.symbol, trade.id));
}

type StoredKey = Pick<TradesTable, 'symbol' | 'trade_id'>;

const PG_TRADE_CHUNK = 10_000;

/**
 * PostgreSQL only, and on purpose: the trades go in with COPY, which PostgreSQL loads about three times
 * faster than any INSERT with ON CONFLICT (measured on the bench cluster: 1.7 µs a row against 5.5 µs;
 * ON CONFLICT's speculative insertion alone doubles the cost of a row). COPY has no ON CONFLICT, so it is
 * tried under a savepoint: a group with no stored trade (the normal case: duplicates come from retries) is
 * loaded whole, and a group that repeats a stored trade fails with a unique violation, is rolled back to
 * the savepoint and goes through insertNewTradesPostgres, which skips the stored ones. Either way the rows,
 * the conflict rule and the returned keys are exactly those of the portable statement above (SQLite's).
 */
async function storeNewTradesPostgres(db: Db, trades: readonly Trade[]): Promise<readonly Trade[]> {
  await sql`savepoint store_trades`.execute(db);
  try {
    let text = '';
    for (const trade of trades) text += tradeCopyLine(trade);
    await copyTextFrom(db, 'trades', TRADE_COLUMNS, text);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql`rollback to savepoint store_trades`.execute(db);
    return insertedOf(trades, await insertNewTradesPostgres(db, trades.map(tradeRow)));
  }
  return trades;
}

/**
 * The slower path, for a group that repeats stored trades: six array parameters unnested into rows (a tiny
 * statement for PostgreSQL to parse and plan, where a VALUES list would have 60,000 placeholders), with ON
 * CONFLICT skipping the stored ones and RETURNING naming the new ones.
 */
async function insertNewTradesPostgres(db: Db, rows: readonly TradesTable[]): Promise<StoredKey[]> {
  const inserted: StoredKey[] = [];
  for (let start = 0; start < rows.length; start += PG_TRADE_CHUNK) {
    const chunk = rows.slice(start, start + PG_TRADE_CHUNK);
    const column = <K extends keyof TradesTable>(name: K) => chunk.map((row) => row[name]);
    const result = await sql<StoredKey>`
      insert into trades (symbol, trade_id, price, qty, time, taker_side)
      select * from unnest(
        ${column('symbol')}::varchar[], ${column('trade_id')}::bigint[],
        ${column('price')}::numeric[], ${column('qty')}::numeric[],
        ${column('time')}::bigint[], ${column('taker_side')}::varchar[])
      on conflict (symbol, trade_id) do nothing
      returning symbol, trade_id`.execute(db);
    for (const row of result.rows) inserted.push(row);
  }
  return inserted;
}

function toRow(candle: Candle): CandlesTable {
  return {
    symbol: candle.symbol,
    interval: candle.interval,
    open_time: candle.openTime,
    close_time: candle.closeTime,
    open: base(candle.open),
    high: base(candle.high),
    low: base(candle.low),
    close: base(candle.close),
    volume: base(candle.volume),
    quote_volume: quote(candle.quoteVolume),
    trades: candle.trades,
    taker_buy_volume: base(candle.takerBuyVolume),
    taker_buy_quote_volume: quote(candle.takerBuyQuoteVolume),
    first_trade_time: candle.firstTradeTime,
    first_trade_id: candle.firstTradeId,
    last_trade_time: candle.lastTradeTime,
    last_trade_id: candle.lastTradeId,
    kline: klineJson(candle),
  };
}

/** The stored `kline` column: the candle's Binance array as the klines endpoint sends it. */
export const klineJson = (candle: Candle) => JSON.stringify(toKlineArray(candle));

export function fromRow(row: CandlesTable): Candle {
  if (!isInterval(row.interval)) throw new Error(`stored candle has unknown interval ${row.interval}`);
  return {
    symbol: row.symbol,
    interval: row.interval,
    openTime: Number(row.open_time),
    closeTime: Number(row.close_time),
    open: parseStoredDecimal(row.open, BASE_SCALE),
    high: parseStoredDecimal(row.high, BASE_SCALE),
    low: parseStoredDecimal(row.low, BASE_SCALE),
    close: parseStoredDecimal(row.close, BASE_SCALE),
    volume: parseStoredDecimal(row.volume, BASE_SCALE),
    quoteVolume: parseStoredDecimal(row.quote_volume, QUOTE_SCALE),
    trades: Number(row.trades),
    takerBuyVolume: parseStoredDecimal(row.taker_buy_volume, BASE_SCALE),
    takerBuyQuoteVolume: parseStoredDecimal(row.taker_buy_quote_volume, QUOTE_SCALE),
    firstTradeTime: Number(row.first_trade_time),
    firstTradeId: Number(row.first_trade_id),
    lastTradeTime: Number(row.last_trade_time),
    lastTradeId: Number(row.last_trade_id),
  };
}

/** Writes the candles' new state (absolute values computed by the aggregator), inserting or replacing. */
export async function upsertCandles(db: Db, candles: readonly Candle[]): Promise<void> {
  for (let start = 0; start < candles.length; start += CANDLE_CHUNK) {
    const rows = candles.slice(start, start + CANDLE_CHUNK).map(toRow);
    await db
      .insertInto('candles')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['symbol', 'interval', 'open_time']).doUpdateSet((eb) => ({
          open: eb.ref('excluded.open'),
          high: eb.ref('excluded.high'),
          low: eb.ref('excluded.low'),
          close: eb.ref('excluded.close'),
          volume: eb.ref('excluded.volume'),
          quote_volume: eb.ref('excluded.quote_volume'),
          trades: eb.ref('excluded.trades'),
          taker_buy_volume: eb.ref('excluded.taker_buy_volume'),
          taker_buy_quote_volume: eb.ref('excluded.taker_buy_quote_volume'),
          first_trade_time: eb.ref('excluded.first_trade_time'),
          first_trade_id: eb.ref('excluded.first_trade_id'),
          last_trade_time: eb.ref('excluded.last_trade_time'),
          last_trade_id: eb.ref('excluded.last_trade_id'),
          kline: eb.ref('excluded.kline'),
        })),
      )
      .execute();
  }
}

/** Stored candles for the given keys (symbol|interval|openTime), grouped into one query per series. */
export async function loadCandles(db: Db, keys: Iterable<string>): Promise<Map<string, Candle>> {
  const bySeries = new Map<string, { symbol: string; interval: string; openTimes: number[] }>();
  for (const key of keys) {
    const [symbol, interval, openTime] = key.split('|') as [string, string, string];
    const series = `${symbol}|${interval}`;
    let entry = bySeries.get(series);
    if (!entry) {
      entry = { symbol, interval, openTimes: [] };
      bySeries.set(series, entry);
    }
    entry.openTimes.push(Number(openTime));
  }
  const found = new Map<string, Candle>();
  for (const { symbol, interval, openTimes } of bySeries.values()) {
    for (let start = 0; start < openTimes.length; start += CANDLE_CHUNK) {
      const rows = await db
        .selectFrom('candles')
        .selectAll()
        .where('symbol', '=', symbol)
        .where('interval', '=', interval)
        .where('open_time', 'in', openTimes.slice(start, start + CANDLE_CHUNK))
        .execute();
      for (const row of rows) {
        const candle = fromRow(row);
        found.set(candleKey(candle.symbol, candle.interval, candle.openTime), candle);
      }
    }
  }
  return found;
}

export interface SymbolState {
  symbol: string;
  firstTradeTime: number;
  lastTradeTime: number;
  lastTradeId: number;
  lastPrice: bigint;
  trades: number;
}

export async function upsertSymbols(db: Db, symbols: readonly SymbolState[]): Promise<void> {
  if (symbols.length === 0) return;
  const rows: SymbolsTable[] = symbols.map((s) => ({
    symbol: s.symbol,
    first_trade_time: s.firstTradeTime,
    last_trade_time: s.lastTradeTime,
    last_trade_id: s.lastTradeId,
    last_price: base(s.lastPrice),
    trades: s.trades,
  }));
  await db
    .insertInto('symbols')
    .values(rows)
    .onConflict((oc) =>
      oc.column('symbol').doUpdateSet((eb) => ({
        first_trade_time: eb.ref('excluded.first_trade_time'),
        last_trade_time: eb.ref('excluded.last_trade_time'),
        last_trade_id: eb.ref('excluded.last_trade_id'),
        last_price: eb.ref('excluded.last_price'),
        trades: eb.ref('excluded.trades'),
      })),
    )
    .execute();
}

export async function loadSymbols(db: Db): Promise<SymbolState[]> {
  const rows = await db.selectFrom('symbols').selectAll().orderBy('symbol').execute();
  return rows.map((row) => ({
    symbol: row.symbol,
    firstTradeTime: Number(row.first_trade_time),
    lastTradeTime: Number(row.last_trade_time),
    lastTradeId: Number(row.last_trade_id),
    lastPrice: parseStoredDecimal(row.last_price, BASE_SCALE),
    trades: Number(row.trades),
  }));
}

/**
 * Binance semantics: with a start time, the first `limit` candles from there; without one, the last
 * `limit` up to the end time (or the latest). Always ascending by open time.
 */
export interface KlineRange {
  symbol: string;
  interval: Interval;
  /** Inclusive bounds on open time. */
  startTime?: number;
  endTime?: number;
  limit: number;
}

export type KlineDatabase = Database<KlineSchema>;

/**
 * The klines answer is the stored `kline` texts joined: each candle's Binance array is rendered once, when
 * the candle is written (a candle is written far less often than read: a chart load reads 1,000), so a read
 * is an index range scan returning one short text per row. Rendering in SQL instead (concatenating the
 * decimal columns) spent most of a 1,000-candle read in PostgreSQL's numeric-to-text output, ~4× the scan.
 */
async function klineTexts(db: Db, range: KlineRange): Promise<string[]> {
  let query = db
    .selectFrom('candles')
    .select('kline')
    .where('symbol', '=', range.symbol)
    .where('interval', '=', range.interval);
  if (range.startTime !== undefined) query = query.where('open_time', '>=', range.startTime);
  if (range.endTime !== undefined) query = query.where('open_time', '<=', range.endTime);
  const rows =
    range.startTime !== undefined
      ? await query.orderBy('open_time', 'asc').limit(range.limit).execute()
      : (await query.orderBy('open_time', 'desc').limit(range.limit).execute()).reverse();
  return rows.map((row) => row.kline);
}

/** The klines endpoint's answer as JSON text, and how many candles it holds. */
export async function queryKlinesJson(db: Db, range: KlineRange): Promise<{ json: string; count: number }> {
  const texts = await klineTexts(db, range);
  return { json: `[${texts.join(',')}]`, count: texts.length };
}

/** The same candles as Binance arrays (the parsed form of queryKlinesJson). */
export async function queryKlines(db: Db, range: KlineRange): Promise<KlineArray[]> {
  return JSON.parse((await queryKlinesJson(db, range)).json) as KlineArray[];
}

/** The latest candle of a series, or undefined (seeds the WebSocket hub's closed-flag state at start). */
export async function latestCandle(db: Db, symbol: string, interval: Interval): Promise<Candle | undefined> {
  const row = await db
    .selectFrom('candles')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('interval', '=', interval)
    .orderBy('open_time', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && fromRow(row);
}
