// Decimals are strings in and out of both databases (numeric on PostgreSQL, text on SQLite); times are
// epoch milliseconds.

export interface TradesTable {
  symbol: string;
  trade_id: number;
  price: string;
  qty: string;
  time: number;
  /** 'buy' when the taker bought, 'sell' when the taker sold. */
  taker_side: string;
}

export interface CandlesTable {
  symbol: string;
  interval: string;
  open_time: number;
  close_time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  quote_volume: string;
  trades: number;
  taker_buy_volume: string;
  taker_buy_quote_volume: string;
  first_trade_time: number;
  first_trade_id: number;
  last_trade_time: number;
  last_trade_id: number;
  /** The candle as the klines endpoint serves it: Binance's array, as JSON text (written with the row). */
  kline: string;
}

export interface SymbolsTable {
  symbol: string;
  first_trade_time: number;
  last_trade_time: number;
  last_trade_id: number;
  last_price: string;
  trades: number;
}

export interface KlineSchema {
  trades: TradesTable;
  candles: CandlesTable;
  symbols: SymbolsTable;
}
