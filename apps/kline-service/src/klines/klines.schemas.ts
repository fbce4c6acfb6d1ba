import { problemResponses } from '@platform/http';
import { INTERVALS } from '../market/intervals.ts';

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 1000;

// The documented forms of the parameters, matching what the handler accepts, so a request the document
// allows is answered (a symbol without trades is a 404) and one it does not allow is a 400.
const EPOCH_MS = { type: 'string', pattern: '^\\d{1,15}$' } as const;

// Positions are described rather than written as `prefixItems`: Schemathesis (the contract test) rejects a
// tuple nested in a response schema as an invalid schema, and checks nothing of the operation then.
const klineItem = {
  type: 'array',
  description:
    '[open time (integer), open, high, low, close, volume, close time (integer), quote volume, number of ' +
    'trades (integer), taker buy base volume, taker buy quote volume, unused "0"]; decimals are strings',
  items: { type: ['integer', 'string'] },
  minItems: 12,
  maxItems: 12,
} as const;

export const klinesSchema = {
  summary: 'Candles of one symbol and interval, Binance format (needs kline:read)',
  description:
    'Ascending by open time. With startTime: the first `limit` candles opening at or after it (and at ' +
    'or before endTime). Without startTime: the last `limit` candles opening at or before endTime, or ' +
    'the latest. Intervals without trades have no candle. Decimals are strings.',
  security: [{ bearer: ['kline:read'] }],
  querystring: {
    type: 'object',
    required: ['symbol', 'interval'],
    additionalProperties: false,
    properties: {
      symbol: {
        type: 'string',
        pattern: '^[A-Za-z0-9]{1,20}$',
        description: 'e.g. BTCUSDT (case-insensitive); one without trades is a 404',
      },
      interval: { type: 'string', enum: [...INTERVALS] },
      startTime: { ...EPOCH_MS, description: 'epoch ms, inclusive' },
      endTime: { ...EPOCH_MS, description: 'epoch ms, inclusive; before startTime gives no candles' },
      limit: {
        type: 'string',
        pattern: '^(1000|[1-9]\\d{0,2})$',
        description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
      },
    },
  },
  response: { 200: { type: 'array', items: klineItem }, ...problemResponses(400, 401, 403, 404) },
} as const;

const symbolItem = {
  type: 'object',
  required: ['symbol', 'lastPrice', 'trades', 'firstTradeTime', 'lastTradeTime', 'lastTradeId'],
  properties: {
    symbol: { type: 'string' },
    lastPrice: { type: 'string' },
    trades: { type: 'integer' },
    firstTradeTime: { type: 'integer' },
    lastTradeTime: { type: 'integer' },
    lastTradeId: { type: 'integer', description: 'Id of the latest trade by time.' },
  },
} as const;

export const symbolsSchema = {
  summary: 'Symbols with trades, and the supported intervals (needs kline:read)',
  security: [{ bearer: ['kline:read'] }],
  response: {
    200: {
      type: 'object',
      required: ['symbols', 'intervals'],
      properties: {
        symbols: { type: 'array', items: symbolItem },
        intervals: { type: 'array', items: { type: 'string' } },
      },
    },
    ...problemResponses(401, 403),
  },
} as const;
