import { requireScopes } from '@platform/auth';
import { HttpError, problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { type KlineDatabase, queryKlinesJson } from '../db/store.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import { formatBase } from '../market/decimal.ts';
import { INTERVALS, isInterval } from '../market/intervals.ts';
import type { KlineMetrics } from '../metrics.ts';

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 1000;

interface KlinesQuery {
  symbol?: string;
  interval?: string;
  startTime?: string;
  endTime?: string;
  limit?: string;
}

const badParameter = (code: string, detail: string, parameter: string, status = 400) =>
  new HttpError({ status, code, detail, extensions: { parameter } });

// The documented forms of the parameters, matching what the handler accepts, so a request the document
// allows is answered (a symbol without trades is a 404) and one it does not allow is a 400.
const EPOCH_MS = { type: 'string', pattern: '^\\d{1,15}$' } as const;

// Strictly digits: "1e12", "12.5", " 5" and negative numbers are all refused rather than coerced.
function integerParameter(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw badParameter(
      'invalid_parameter',
      `${name} must be a non-negative integer (epoch milliseconds for times)`,
      name,
    );
  return Number(value);
}

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

export function klineRoutes(
  app: FastifyInstance,
  deps: { reader: KlineDatabase; ingestor: Ingestor; metrics: KlineMetrics },
): void {
  const { reader, ingestor, metrics } = deps;

  app.get<{ Querystring: KlinesQuery }>(
    '/kline/api/v1/klines',
    {
      preHandler: requireScopes('kline:read'),
      schema: {
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
      },
      // The schema documents; the handler below gives each mistake its own clear error.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const query = request.query;
      for (const [key, value] of Object.entries(query)) {
        if (!['symbol', 'interval', 'startTime', 'endTime', 'limit'].includes(key))
          throw badParameter('invalid_parameter', `unknown parameter ${key}`, key);
        if (typeof value !== 'string')
          throw badParameter('invalid_parameter', `${key} must be given once`, key);
      }
      if (typeof query.symbol !== 'string' || query.symbol === '')
        throw badParameter('missing_parameter', 'symbol is required, e.g. symbol=BTCUSDT', 'symbol');
      if (typeof query.interval !== 'string' || query.interval === '')
        throw badParameter(
          'missing_parameter',
          `interval is required, one of ${INTERVALS.join(' ')}`,
          'interval',
        );
      if (!/^[A-Za-z0-9]{1,20}$/.test(query.symbol))
        throw badParameter('invalid_parameter', 'symbol must be 1 to 20 letters and digits', 'symbol');
      const symbol = query.symbol.toUpperCase();
      if (!isInterval(query.interval))
        throw badParameter(
          'unknown_interval',
          `interval must be one of ${INTERVALS.join(' ')} (got ${JSON.stringify(query.interval.slice(0, 20))})`,
          'interval',
        );
      if (!ingestor.hasSymbol(symbol))
        throw badParameter(
          'unknown_symbol',
          `symbol ${JSON.stringify(symbol)} has no trades; see GET /kline/api/v1/symbols`,
          'symbol',
          404,
        );
      const startTime = integerParameter(query.startTime, 'startTime');
      const endTime = integerParameter(query.endTime, 'endTime');
      const limit = integerParameter(query.limit, 'limit') ?? DEFAULT_LIMIT;
      if (limit < 1 || limit > MAX_LIMIT || query.limit?.startsWith('0'))
        throw badParameter(
          'invalid_parameter',
          `limit must be from 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
          'limit',
        );
      // A window that ends before it starts holds no candle, like any window without trades.
      if (startTime !== undefined && endTime !== undefined && startTime > endTime) return [];

      const { json, count } = await queryKlinesJson(reader.db, {
        symbol,
        interval: query.interval,
        limit,
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
      });
      metrics.candlesServed.inc(count);
      // Pre-serialized (see queryKlinesJson): the wire shape is built directly.
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.get(
    '/kline/api/v1/symbols',
    {
      preHandler: requireScopes('kline:read'),
      schema: {
        summary: 'Symbols with trades, and the supported intervals (needs kline:read)',
        security: [{ bearer: ['kline:read'] }],
        response: {
          200: {
            type: 'object',
            required: ['symbols', 'intervals'],
            properties: {
              symbols: {
                type: 'array',
                items: {
                  type: 'object',
                  required: [
                    'symbol',
                    'lastPrice',
                    'trades',
                    'firstTradeTime',
                    'lastTradeTime',
                    'lastTradeId',
                  ],
                  properties: {
                    symbol: { type: 'string' },
                    lastPrice: { type: 'string' },
                    trades: { type: 'integer' },
                    firstTradeTime: { type: 'integer' },
                    lastTradeTime: { type: 'integer' },
                    lastTradeId: { type: 'integer', description: 'Id of the latest trade by time.' },
                  },
                },
              },
              intervals: { type: 'array', items: { type: 'string' } },
            },
          },
          ...problemResponses(401, 403),
        },
      },
    },
    async () => ({
      symbols: ingestor.symbols().map((s) => ({
        symbol: s.symbol,
        lastPrice: formatBase(s.lastPrice),
        trades: s.trades,
        firstTradeTime: s.firstTradeTime,
        lastTradeTime: s.lastTradeTime,
        lastTradeId: s.lastTradeId,
      })),
      intervals: [...INTERVALS],
    }),
  );
}
