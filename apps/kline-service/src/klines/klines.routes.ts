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

const badParameter = (code: string, detail: string, parameter: string) =>
  new HttpError({ status: 400, code, detail, extensions: { parameter } });

// Strictly digits: "1e12", "12.5", " 5" and negative numbers are all refused rather than coerced.
function integerParameter(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw badParameter(
      'invalid_parameter',
      `${name} must be a non-negative integer (epoch milliseconds for times)`,
      name,
    );
  return Number(value);
}

const klineItem = {
  type: 'array',
  description:
    '[open time, open, high, low, close, volume, close time, quote volume, number of trades, taker buy base volume, taker buy quote volume, unused "0"]',
  prefixItems: [
    { type: 'integer' },
    { type: 'string' },
    { type: 'string' },
    { type: 'string' },
    { type: 'string' },
    { type: 'string' },
    { type: 'integer' },
    { type: 'string' },
    { type: 'integer' },
    { type: 'string' },
    { type: 'string' },
    { type: 'string' },
  ],
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
            symbol: { type: 'string', description: 'e.g. BTCUSDT (case-insensitive)' },
            interval: { type: 'string', enum: [...INTERVALS] },
            startTime: { type: 'string', description: 'epoch ms, inclusive' },
            endTime: { type: 'string', description: 'epoch ms, inclusive' },
            limit: { type: 'string', description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}` },
          },
        },
        response: { 200: { type: 'array', items: klineItem }, ...problemResponses(400, 401, 403) },
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
          `symbol ${JSON.stringify(symbol.slice(0, 32))} has no trades; see GET /kline/api/v1/symbols`,
          'symbol',
        );
      const startTime = integerParameter(query.startTime, 'startTime');
      const endTime = integerParameter(query.endTime, 'endTime');
      const limit = integerParameter(query.limit, 'limit') ?? DEFAULT_LIMIT;
      if (limit < 1 || limit > MAX_LIMIT)
        throw badParameter(
          'invalid_parameter',
          `limit must be from 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
          'limit',
        );
      if (startTime !== undefined && endTime !== undefined && startTime > endTime)
        throw badParameter('invalid_range', 'startTime must not be after endTime', 'startTime');

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
