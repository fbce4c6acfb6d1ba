import { type Candle, candlesFromRows } from './candles.ts';

// The browser side of the Markets page: kline-service's REST API through the portal's relay
// (/admin/markets/api/*, same origin, the session cookie; the portal adds the kline token server-side), and
// the session check that precedes each live connection.

/** Rows per history request: kline-service's (and Binance's) default page. */
export const PAGE_SIZE = 500;

export class MarketsError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'MarketsError';
    this.status = status;
  }
}

/** A readable message from an RFC 9457 problem (kline-service, the portal's routes), else the HTTP status. */
export async function problemMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown; title?: unknown };
    if (typeof body.detail === 'string' && body.detail) return body.detail;
    if (typeof body.title === 'string' && body.title) return body.title;
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`;
}

export interface SymbolInfo {
  symbol: string;
  lastPrice: string;
  trades: number;
}

/**
 * Asks the portal whether the session may open the live connection (204), letting it refresh the session's
 * tokens first; throws a MarketsError (401: the session has ended) otherwise.
 */
export function createSessionCheck(sessionUrl: string, fetchImpl: typeof fetch = fetch) {
  return async function check(): Promise<void> {
    const response = await fetchImpl(sessionUrl, { cache: 'no-store', credentials: 'same-origin' });
    if (response.ok) return;
    const message =
      response.status === 401 ? 'Your session has ended. Sign in again.' : await problemMessage(response);
    throw new MarketsError(message, response.status);
  };
}

/** `baseUrl`: the relay, e.g. `/admin/markets/api` (resolved against the page's origin). */
export function createKlineApi(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  async function get(path: string, params: Record<string, string>): Promise<unknown> {
    const query = new URLSearchParams(params).toString();
    const response = await fetchImpl(`${baseUrl}${path}${query ? `?${query}` : ''}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
    });
    if (!response.ok) throw new MarketsError(await problemMessage(response), response.status);
    return response.json();
  }
  return {
    async symbols(): Promise<{ symbols: SymbolInfo[]; intervals: string[] }> {
      const body = (await get('/symbols', {})) as { symbols?: SymbolInfo[]; intervals?: string[] };
      if (!Array.isArray(body.symbols) || !Array.isArray(body.intervals))
        throw new MarketsError('kline-service answered an unexpected symbols document', 502);
      return { symbols: body.symbols, intervals: body.intervals };
    },
    /** The newest PAGE_SIZE candles up to `endTime` (all the latest when absent), ascending. */
    async klines(symbol: string, interval: string, endTime?: number): Promise<Candle[]> {
      const params: Record<string, string> = { symbol, interval, limit: String(PAGE_SIZE) };
      if (endTime !== undefined) params.endTime = String(endTime);
      return candlesFromRows(await get('/klines', params));
    },
  };
}

export type KlineApi = ReturnType<typeof createKlineApi>;
