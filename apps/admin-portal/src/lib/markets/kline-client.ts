import { createApiClient } from '../api/client.ts';
import type { paths } from '../api/generated/kline.ts';
import { ApiError } from '../api/problem.ts';
import type { ItemOf, ResponseOf } from '../api/types.ts';
import { type Candle, candlesFromRows } from './candles.ts';

// The browser side of the Markets page: kline-service's REST API through the portal's relay
// (/admin/markets/api/*, same origin, the session cookie; the portal adds the kline token server-side), and
// the session check that precedes each live connection.

/** Rows per history request: kline-service's (and Binance's) default page. */
export const PAGE_SIZE = 500;

/** kline-service's symbols document (`GET /kline/api/v1/symbols`). */
export type SymbolsDocument = ResponseOf<paths, '/kline/api/v1/symbols', 'get'>;
export type SymbolInfo = ItemOf<SymbolsDocument['symbols']>;

const describeStatus = (status: number) => `HTTP ${status}`;

/**
 * Asks the portal whether the session may open the live connection (204), letting it refresh the session's
 * tokens first; throws an ApiError (401: the session has ended) otherwise.
 */
export function createSessionCheck(sessionUrl: string, fetchImpl: typeof fetch = fetch) {
  const client = createApiClient({
    baseUrl: sessionUrl,
    describeStatus,
    credentials: 'same-origin',
    fetch: fetchImpl,
  });
  return async function check(): Promise<void> {
    try {
      await client.request('GET', '');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401)
        throw new ApiError(401, { detail: 'Your session has ended. Sign in again.' });
      throw error;
    }
  };
}

/** `baseUrl`: the relay, e.g. `/admin/markets/api` (resolved against the page's origin). */
export function createKlineApi(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  const client = createApiClient({ baseUrl, describeStatus, credentials: 'same-origin', fetch: fetchImpl });
  return {
    async symbols(): Promise<SymbolsDocument> {
      const body = await client.request<Partial<SymbolsDocument>>('GET', '/symbols');
      if (!Array.isArray(body.symbols) || !Array.isArray(body.intervals))
        throw new ApiError(502, { detail: 'kline-service answered an unexpected symbols document' });
      return { symbols: body.symbols, intervals: body.intervals };
    },
    /** The newest PAGE_SIZE candles up to `endTime` (all the latest when absent), ascending. */
    async klines(symbol: string, interval: string, endTime?: number): Promise<Candle[]> {
      const query = { symbol, interval, limit: PAGE_SIZE, endTime };
      return candlesFromRows(await client.request('GET', '/klines', { query }));
    },
  };
}

export type KlineApi = ReturnType<typeof createKlineApi>;
