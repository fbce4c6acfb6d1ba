import { requireScopes } from '@platform/auth';
import { HttpError, problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { KlineMetrics } from '../metrics.ts';
import type { Ingestor } from './ingestor.ts';
import { MAX_BATCH, MIN_TRADE_TIME, validateBatch } from './validate.ts';

// parseInputDecimal's rule as a pattern: no sign, exponent or leading zero, 1–15 integer and up to 8
// fractional digits, and not zero (a "0." fraction needs a non-zero digit).
const SMALL_FRACTIONS = Array.from(
  { length: 8 },
  (_, zeros) => `${'0'.repeat(zeros)}[1-9]\\d{0,${7 - zeros}}`,
);
export const POSITIVE_DECIMAL = `^([1-9]\\d{0,14}(\\.\\d{1,8})?|0\\.(${SMALL_FRACTIONS.join('|')}))$`;

// Documents the body; it is enforced by validateBatch (below), which lists every bad item with its reason
// rather than Ajv's first fifty schema errors, and also checks what a schema cannot (decimal ranges, the
// time window, one id with two different trades).
const tradeSchema = {
  type: 'object',
  required: ['symbol', 'id', 'price', 'qty', 'time', 'takerSide'],
  additionalProperties: false,
  properties: {
    symbol: { type: 'string', pattern: '^[A-Z0-9]{1,20}$', examples: ['BTCUSDT'] },
    id: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Trade id, unique per symbol: ingest is idempotent on (symbol, id).',
    },
    price: {
      type: 'string',
      pattern: POSITIVE_DECIMAL,
      description: 'Decimal string > 0, at most 15 integer and 8 fractional digits.',
      examples: ['42000.5'],
    },
    qty: {
      type: 'string',
      pattern: POSITIVE_DECIMAL,
      description: 'Decimal string > 0, at most 15 integer and 8 fractional digits.',
      examples: ['0.015'],
    },
    time: {
      type: 'integer',
      minimum: MIN_TRADE_TIME,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        'Trade time, epoch milliseconds (UTC); candles are bucketed by it. At most one minute ahead of ' +
        'the server clock.',
      examples: [1_767_225_600_000],
    },
    takerSide: {
      type: 'string',
      enum: ['buy', 'sell'],
      description: '"buy" when the taker bought (Binance isBuyerMaker=false).',
    },
  },
} as const;

export function ingestRoutes(app: FastifyInstance, ingestor: Ingestor, metrics: KlineMetrics): void {
  app.post(
    '/kline/api/v1/trades',
    {
      preHandler: requireScopes('kline:write'),
      // validateBatch below is the validator (see tradeSchema).
      validatorCompiler: () => () => true,
      schema: {
        summary: 'Ingest a batch of trades (needs kline:write)',
        description:
          `Up to ${MAX_BATCH} trades. Answers once the batch is durable. Idempotent on (symbol, id): ` +
          'trades already stored are counted as duplicates and change nothing. If any item is invalid the ' +
          'whole batch is refused (400, every bad item listed in `errors`) and nothing is applied.',
        security: [{ bearer: ['kline:write'] }],
        body: {
          type: 'object',
          required: ['trades'],
          additionalProperties: false,
          properties: { trades: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: tradeSchema } },
        },
        response: {
          200: {
            type: 'object',
            required: ['accepted', 'duplicates'],
            properties: {
              accepted: { type: 'integer', description: 'Trades stored by this call.' },
              duplicates: { type: 'integer', description: 'Trades already stored before (ignored).' },
            },
          },
          ...problemResponses(400, 401, 403, 413, 503),
        },
      },
    },
    async (request) => {
      const result = validateBatch(request.body, Date.now());
      if (!result.ok) {
        throw new HttpError({
          status: 400,
          code: 'invalid_trades',
          detail: result.message,
          extensions: { invalid: result.invalid, errors: result.issues },
        });
      }
      const outcome = await ingestor.submit(result.trades);
      metrics.tradesIngested.inc(outcome.accepted);
      if (outcome.duplicates > 0) metrics.tradesDuplicate.inc(outcome.duplicates);
      return outcome;
    },
  );
}
