import { type DialectName, decimalColumn, type Migrations, sql, timestampMs } from '@platform/db';
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import { BASE_SCALE, QUOTE_SCALE } from '../market/decimal.ts';
import type { CandlesTable } from './schema.ts';
import { fromRow, klineJson } from './store.ts';

// Precision 64: inputs have at most 15 integer digits, so even a month of quote volume (sums of
// price × qty, up to 30 integer digits each) stays many orders of magnitude inside the column.
const base = (dialect: DialectName) => decimalColumn(dialect, 64, BASE_SCALE);
const quote = (dialect: DialectName) => decimalColumn(dialect, 64, QUOTE_SCALE);

// On SQLite a table with a composite primary key is a rowid B-tree plus a separate index; WITHOUT ROWID
// stores the rows in the primary-key B-tree itself, so each ingested trade is written once, not twice, and
// a klines range scan reads the candles in key order. (PostgreSQL heaps have no equivalent to choose.)
const clusteredOnSqlite =
  (dialect: DialectName) =>
  // biome-ignore lint/suspicious/noExplicitAny: migrations build tables of any shape.
  (builder: CreateTableBuilder<any, any>) =>
    dialect === 'sqlite' ? builder.modifyEnd(sql`without rowid`) : builder;

// Symbols and intervals are ASCII codes compared for equality and order in every primary-key lookup.
// PostgreSQL's default collation may run each comparison through the locale (strcoll); "C" compares
// bytes, which is all these codes need. SQLite's default collation is already bytewise.
const bytewise = (dialect: DialectName, column: ColumnDefinitionBuilder) =>
  dialect === 'postgres' ? column.modifyEnd(sql`collate "C"`) : column;

const BACKFILL_CHUNK = 1000;

export const migrations: Migrations = {
  '0001_market_data': {
    async up(db, dialect) {
      // Every acknowledged trade, keyed for idempotent ingest: a (symbol, id) already here is a duplicate.
      await db.schema
        .createTable('trades')
        .addColumn('symbol', 'varchar(20)', (c) => bytewise(dialect, c.notNull()))
        .addColumn('trade_id', 'bigint', (c) => c.notNull())
        .addColumn('price', base(dialect), (c) => c.notNull())
        .addColumn('qty', base(dialect), (c) => c.notNull())
        .addColumn('time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('taker_side', 'varchar(4)', (c) => c.notNull())
        .addPrimaryKeyConstraint('trades_pk', ['symbol', 'trade_id'])
        .$call(clusteredOnSqlite(dialect))
        .execute();

      // One row per (symbol, interval, open time) that has trades; empty intervals have no row.
      await db.schema
        .createTable('candles')
        .addColumn('symbol', 'varchar(20)', (c) => bytewise(dialect, c.notNull()))
        .addColumn('interval', 'varchar(3)', (c) => bytewise(dialect, c.notNull()))
        .addColumn('open_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('close_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('open', base(dialect), (c) => c.notNull())
        .addColumn('high', base(dialect), (c) => c.notNull())
        .addColumn('low', base(dialect), (c) => c.notNull())
        .addColumn('close', base(dialect), (c) => c.notNull())
        .addColumn('volume', base(dialect), (c) => c.notNull())
        .addColumn('quote_volume', quote(dialect), (c) => c.notNull())
        .addColumn('trades', 'bigint', (c) => c.notNull())
        .addColumn('taker_buy_volume', base(dialect), (c) => c.notNull())
        .addColumn('taker_buy_quote_volume', quote(dialect), (c) => c.notNull())
        .addColumn('first_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('first_trade_id', 'bigint', (c) => c.notNull())
        .addColumn('last_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('last_trade_id', 'bigint', (c) => c.notNull())
        // The primary key doubles as the klines query index: symbol and interval fixed, open time ranged.
        .addPrimaryKeyConstraint('candles_pk', ['symbol', 'interval', 'open_time'])
        .$call(clusteredOnSqlite(dialect))
        .execute();

      await db.schema
        .createTable('symbols')
        .addColumn('symbol', 'varchar(20)', (c) => bytewise(dialect, c.primaryKey()))
        .addColumn('first_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('last_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('last_trade_id', 'bigint', (c) => c.notNull())
        .addColumn('last_price', base(dialect), (c) => c.notNull())
        .addColumn('trades', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_candle_kline_text': {
    // Each candle's Binance array, rendered when the candle is written, so the klines endpoint reads one
    // short text per candle (see queryKlinesJson). Candles stored before this migration are rendered here.
    async up(db) {
      await db.schema
        .alterTable('candles')
        .addColumn('kline', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      for (;;) {
        const rows = (await db
          .selectFrom('candles')
          .selectAll()
          .where('kline', '=', '')
          .orderBy('symbol')
          .orderBy('interval')
          .orderBy('open_time')
          .limit(BACKFILL_CHUNK)
          .execute()) as CandlesTable[];
        for (const row of rows)
          await db
            .updateTable('candles')
            .set({ kline: klineJson(fromRow(row)) })
            .where('symbol', '=', row.symbol)
            .where('interval', '=', row.interval)
            .where('open_time', '=', row.open_time)
            .execute();
        if (rows.length < BACKFILL_CHUNK) break;
      }
    },
  },
};
