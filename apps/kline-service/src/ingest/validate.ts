// Validation of an ingest batch, item by item, so the 400 names every bad trade and why. A batch with any
// bad item is refused whole: nothing of it is applied.
import type { Trade } from '../market/candle.ts';
import { MAX_INTEGER_DIGITS, parseInputDecimal, quoteOf } from '../market/decimal.ts';
import { TradeKeyMap } from '../market/trade-keys.ts';

export const MAX_BATCH = 10_000;
/** Items listed in the 400; the problem also says how many were bad in all. */
export const MAX_LISTED_ERRORS = 1_000;
/** Trade times before this are almost surely seconds sent as milliseconds (1.7e9 ms is January 1970). */
export const MIN_TRADE_TIME = Date.UTC(2000, 0, 1);
/** A trade may be stamped at most this far ahead of our clock (clock skew between exchange and us). */
export const MAX_FUTURE_SKEW_MS = 60_000;

export const SYMBOL_PATTERN = /^[A-Z0-9]{1,20}$/;
const FIELDS = new Set(['symbol', 'id', 'price', 'qty', 'time', 'takerSide']);

export interface TradeIssue {
  in: 'body';
  /** JSON Pointer of the bad item or field, e.g. `/trades/3/price`. */
  path: string;
  index: number;
  message: string;
}

export type BatchResult =
  | { ok: true; trades: Trade[] }
  | { ok: false; issues: TradeIssue[]; invalid: number; message: string };

const DECIMAL_RULE = `a decimal string with at most ${MAX_INTEGER_DIGITS} integer and 8 fractional digits, greater than 0 (e.g. "42.5")`;

function decimal(value: unknown, field: string, problems: string[]): bigint {
  if (typeof value === 'number') {
    problems.push(
      `${field} must be ${DECIMAL_RULE}; a JSON number is refused because it may have lost digits`,
    );
    return 0n;
  }
  const parsed = typeof value === 'string' ? parseInputDecimal(value) : null;
  if (parsed === null || parsed === 0n) {
    problems.push(`${field} must be ${DECIMAL_RULE}`);
    return 0n;
  }
  return parsed;
}

/** Checks one item; pushes "field: why" messages for each fault. */
function checkTrade(item: unknown, now: number, problems: Array<[string, string]>): Trade | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    problems.push(['', 'must be an object with symbol, id, price, qty, time and takerSide']);
    return null;
  }
  const raw = item as Record<string, unknown>;
  const before = problems.length;
  const fault = (field: string, message: string) => {
    problems.push([field, message]);
  };
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) fault(key, `${key} is not a trade field`);
  for (const key of FIELDS) if (!(key in raw)) fault(key, `${key} is required`);

  const { symbol, id, time, takerSide } = raw;
  if ('symbol' in raw && (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)))
    fault('symbol', 'symbol must be 1–20 upper-case letters or digits, e.g. BTCUSDT');
  if ('id' in raw && !(Number.isSafeInteger(id) && (id as number) >= 0))
    fault('id', 'id must be a non-negative integer trade id (at most 2^53 - 1)');
  if (
    'time' in raw &&
    !(
      Number.isSafeInteger(time) &&
      (time as number) >= MIN_TRADE_TIME &&
      (time as number) <= now + MAX_FUTURE_SKEW_MS
    )
  )
    fault(
      'time',
      'time must be the trade time in epoch milliseconds, from 2000-01-01 to at most one minute ahead of the server clock',
    );
  if ('takerSide' in raw && takerSide !== 'buy' && takerSide !== 'sell')
    fault('takerSide', 'takerSide must be "buy" (the taker bought) or "sell"');
  const decimals: string[] = [];
  const price = 'price' in raw ? decimal(raw.price, 'price', decimals) : 0n;
  for (const m of decimals.splice(0)) fault('price', m);
  const qty = 'qty' in raw ? decimal(raw.qty, 'qty', decimals) : 0n;
  for (const m of decimals.splice(0)) fault('qty', m);

  if (problems.length > before) return null;
  return {
    symbol: symbol as string,
    id: id as number,
    price,
    qty,
    priceText: raw.price as string,
    qtyText: raw.qty as string,
    quote: quoteOf(price, qty),
    time: time as number,
    takerBuy: takerSide === 'buy',
  };
}

/**
 * The common case, a well-formed trade, checked without allocating anything but the result; null sends
 * the item through checkTrade, which says what is wrong. Both apply the same rules.
 */
function fastTrade(item: unknown, now: number): Trade | null {
  if (typeof item !== 'object' || item === null) return null;
  const raw = item as Record<string, unknown>;
  const { symbol, id, price, qty, time, takerSide } = raw;
  let fields = 0;
  for (const _ in raw) fields += 1;
  if (
    fields !== 6 ||
    typeof symbol !== 'string' ||
    !SYMBOL_PATTERN.test(symbol) ||
    typeof id !== 'number' ||
    !Number.isSafeInteger(id) ||
    id < 0 ||
    typeof time !== 'number' ||
    !Number.isSafeInteger(time) ||
    time < MIN_TRADE_TIME ||
    time > now + MAX_FUTURE_SKEW_MS ||
    (takerSide !== 'buy' && takerSide !== 'sell') ||
    typeof price !== 'string' ||
    typeof qty !== 'string'
  )
    return null;
  const p = parseInputDecimal(price);
  const q = parseInputDecimal(qty);
  if (p === null || q === null || p === 0n || q === 0n) return null;
  return {
    symbol,
    id,
    price: p,
    qty: q,
    priceText: price,
    qtyText: qty,
    quote: p * q,
    time,
    takerBuy: takerSide === 'buy',
  };
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Validates `{ trades: [...] }`. Within one batch the same (symbol, id) may repeat only with identical
 * values (a retried item); differing values under one id are refused, since only one can be the trade.
 */
export function validateBatch(body: unknown, now: number): BatchResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('trades' in body)) {
    return refuse(
      [{ in: 'body', path: '/trades', index: -1, message: 'the body must be {"trades": [...]}' }],
      1,
    );
  }
  const extra = Object.keys(body).filter((key) => key !== 'trades');
  if (extra.length > 0) {
    return refuse(
      extra.map((key) => ({
        in: 'body',
        path: `/${escapePointer(key)}`,
        index: -1,
        message: `${key} is not allowed`,
      })),
      extra.length,
    );
  }
  const items = (body as { trades: unknown }).trades;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
    return refuse(
      [
        {
          in: 'body',
          path: '/trades',
          index: -1,
          message: `trades must be an array of 1 to ${MAX_BATCH} trades`,
        },
      ],
      1,
    );
  }

  const trades: Trade[] = [];
  const issues: TradeIssue[] = [];
  let invalid = 0;
  // Where each (symbol, id) first appears, as an item index.
  const firstIndex = new TradeKeyMap<number>();
  const firstTrade: Trade[] = [];
  for (let index = 0; index < items.length; index += 1) {
    const problems: Array<[string, string]> = [];
    const trade = fastTrade(items[index], now) ?? checkTrade(items[index], now, problems);
    if (trade) {
      if (firstIndex.addNew(trade.symbol, trade.id, index)) {
        firstTrade[index] = trade;
        trades.push(trade);
      } else {
        const first = firstIndex.get(trade.symbol, trade.id)!;
        if (!sameTrade(firstTrade[first]!, trade))
          problems.push([
            'id',
            `id ${trade.id} of ${trade.symbol} already appears at index ${first} with different values`,
          ]);
      }
    }
    if (problems.length === 0) continue;
    invalid += 1;
    for (const [field, message] of problems) {
      if (issues.length >= MAX_LISTED_ERRORS) break;
      issues.push({
        in: 'body',
        path: `/trades/${index}${field ? `/${escapePointer(field)}` : ''}`,
        index,
        message,
      });
    }
  }
  if (invalid > 0) return refuse(issues, invalid, items.length);
  return { ok: true, trades };
}

function sameTrade(a: Trade, b: Trade): boolean {
  return a.price === b.price && a.qty === b.qty && a.time === b.time && a.takerBuy === b.takerBuy;
}

function refuse(issues: TradeIssue[], invalid: number, total?: number): BatchResult {
  const message =
    total === undefined
      ? 'The request body is not a trade batch; nothing was applied.'
      : `${invalid} of ${total} trades are invalid; the batch was refused and nothing was applied.`;
  return { ok: false, issues, invalid, message };
}
