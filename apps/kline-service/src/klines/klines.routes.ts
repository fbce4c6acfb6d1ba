import { requireScopes } from '@platform/auth';
import { type App, type Handler, HttpError } from '@platform/http';
import type { KlineRange } from '../db/store.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import { formatBase } from '../market/decimal.ts';
import { INTERVALS, isInterval } from '../market/intervals.ts';
import type { KlineMetrics } from '../metrics.ts';
import { DEFAULT_LIMIT, klinesSchema, MAX_LIMIT, symbolsSchema } from './klines.schemas.ts';

interface KlineRouteDeps {
  /** The candles of a range as the wire's JSON array, and how many (see queryKlinesJson). */
  klines(range: KlineRange): Promise<{ json: string; count: number }>;
  ingestor: Ingestor;
  metrics: KlineMetrics;
}

const KNOWN_PARAMETERS = new Set(['symbol', 'interval', 'startTime', 'endTime', 'limit']);

const badParameter = (code: string, detail: string, parameter: string, status = 400) =>
  new HttpError({ status, code, detail, extensions: { parameter } });

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

/** Every parameter is known and given once: the raw query holds strings only afterwards. */
function singleKnownParameters(query: Record<string, unknown>): Record<string, string | undefined> {
  for (const [key, value] of Object.entries(query)) {
    if (!KNOWN_PARAMETERS.has(key)) throw badParameter('invalid_parameter', `unknown parameter ${key}`, key);
    if (typeof value !== 'string') throw badParameter('invalid_parameter', `${key} must be given once`, key);
  }
  return query as Record<string, string | undefined>;
}

function required(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value === '')
    throw badParameter('missing_parameter', `${name} is required, ${example}`, name);
  return value;
}

function symbolParameter(value: string): string {
  if (!/^[A-Za-z0-9]{1,20}$/.test(value))
    throw badParameter('invalid_parameter', 'symbol must be 1 to 20 letters and digits', 'symbol');
  return value.toUpperCase();
}

function intervalParameter(value: string): KlineRange['interval'] {
  if (!isInterval(value)) {
    const detail = `interval must be one of ${INTERVALS.join(' ')} (got ${JSON.stringify(value.slice(0, 20))})`;
    throw badParameter('unknown_interval', detail, 'interval');
  }
  return value;
}

function requireKnownSymbol(symbol: string, ingestor: Ingestor): void {
  if (ingestor.hasSymbol(symbol)) return;
  const detail = `symbol ${JSON.stringify(symbol)} has no trades; see GET /kline/api/v1/symbols`;
  throw badParameter('unknown_symbol', detail, 'symbol', 404);
}

function limitParameter(value: string | undefined): number {
  const limit = integerParameter(value, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT || value?.startsWith('0'))
    throw badParameter(
      'invalid_parameter',
      `limit must be from 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
      'limit',
    );
  return limit;
}

/**
 * The window a klines request asks for, or undefined for a window that ends before it starts (it holds no
 * candle, like any window without trades). The checks run in the order of the errors a client most needs
 * first: a missing parameter, a malformed one, then a symbol without trades.
 */
function klineRange(rawQuery: Record<string, unknown>, ingestor: Ingestor): KlineRange | undefined {
  const query = singleKnownParameters(rawQuery);
  const symbolText = required(query.symbol, 'symbol', 'e.g. symbol=BTCUSDT');
  const intervalText = required(query.interval, 'interval', `one of ${INTERVALS.join(' ')}`);
  const symbol = symbolParameter(symbolText);
  const interval = intervalParameter(intervalText);
  requireKnownSymbol(symbol, ingestor);
  const startTime = integerParameter(query.startTime, 'startTime');
  const endTime = integerParameter(query.endTime, 'endTime');
  const limit = limitParameter(query.limit);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) return undefined;
  return {
    symbol,
    interval,
    limit,
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
  };
}

const getKlines =
  ({ klines, ingestor, metrics }: KlineRouteDeps): Handler<typeof klinesSchema> =>
  async (request, reply) => {
    // The route's validator is off (see klineRoutes): the query is the client's, unchecked.
    const range = klineRange(request.query as Record<string, unknown>, ingestor);
    if (!range) return [];
    const { json, count } = await klines(range);
    metrics.candlesServed.inc(count);
    // Pre-serialized (see queryKlinesJson): the wire shape is built directly.
    return reply.type('application/json; charset=utf-8').send(json);
  };

const listSymbols =
  ({ ingestor }: KlineRouteDeps): Handler<typeof symbolsSchema> =>
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
  });

export function klineRoutes(app: App, deps: KlineRouteDeps): void {
  const read = requireScopes('kline:read');
  // The klines schema documents; the handler gives each mistake its own clear error instead of the
  // validator's generic one.
  app.get(
    '/kline/api/v1/klines',
    { preHandler: read, schema: klinesSchema, validatorCompiler: () => () => true },
    getKlines(deps),
  );
  app.get('/kline/api/v1/symbols', { preHandler: read, schema: symbolsSchema }, listSymbols(deps));
}
