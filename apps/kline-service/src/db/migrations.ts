import { decimalColumn, type Migrations, timestampMs } from '@platform/db';
import { BASE_SCALE, QUOTE_SCALE } from '../market/decimal.ts';

// Precision 64: inputs have at most 15 integer digits, so even a month of quote volume (sums of
// price × qty, up to 30 integer digits each) stays many orders of magnitude inside the column.
const base = (dialect: Parameters<typeof decimalColumn>[0]) => decimalColumn(dialect, 64, BASE_SCALE);
const quote = (dialect: Parameters<typeof decimalColumn>[0]) => decimalColumn(dialect, 64, QUOTE_SCALE);

export const migrations: Migrations = {
  '0001_market_data': {
    async up(db, dialect) {
      // Every acknowledged trade, keyed for idempotent ingest: a (symbol, id) already here is a duplicate.
      await db.schema
        .createTable('trades')
        .addColumn('symbol', 'varchar(20)', (c) => c.notNull())
        .addColumn('trade_id', 'bigint', (c) => c.notNull())
        .addColumn('price', base(dialect), (c) => c.notNull())
        .addColumn('qty', base(dialect), (c) => c.notNull())
        .addColumn('time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('taker_side', 'varchar(4)', (c) => c.notNull())
        .addPrimaryKeyConstraint('trades_pk', ['symbol', 'trade_id'])
        .execute();

      // One row per (symbol, interval, open time) that has trades; empty intervals have no row.
      await db.schema
        .createTable('candles')
        .addColumn('symbol', 'varchar(20)', (c) => c.notNull())
        .addColumn('interval', 'varchar(3)', (c) => c.notNull())
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
        .execute();

      await db.schema
        .createTable('symbols')
        .addColumn('symbol', 'varchar(20)', (c) => c.primaryKey())
        .addColumn('first_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('last_trade_time', timestampMs(dialect), (c) => c.notNull())
        .addColumn('last_trade_id', 'bigint', (c) => c.notNull())
        .addColumn('last_price', base(dialect), (c) => c.notNull())
        .addColumn('trades', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
