import type { Candle } from '../market/candle.ts';
import { formatBase, formatQuote } from '../market/decimal.ts';

/** Binance's kline event (`<symbol>@kline_<interval>`), including the `x` closed flag. */
export function klineEvent(candle: Candle, closed: boolean, eventTime: number): string {
  return JSON.stringify({
    e: 'kline',
    E: eventTime,
    s: candle.symbol,
    k: {
      t: candle.openTime,
      T: candle.closeTime,
      s: candle.symbol,
      i: candle.interval,
      f: candle.firstTradeId,
      L: candle.lastTradeId,
      o: formatBase(candle.open),
      c: formatBase(candle.close),
      h: formatBase(candle.high),
      l: formatBase(candle.low),
      v: formatBase(candle.volume),
      n: candle.trades,
      x: closed,
      q: formatQuote(candle.quoteVolume),
      V: formatBase(candle.takerBuyVolume),
      Q: formatQuote(candle.takerBuyQuoteVolume),
      B: '0',
    },
  });
}
