import { type Candle, candlesFromRows } from './candles.ts';

// The browser side of the Markets page: the kline token from the portal, and kline-service's REST API called
// with it (same origin behind the gateway: PUBLIC_URL/admin and PUBLIC_URL/kline).

/** Rows per history request: kline-service's (and Binance's) default page. */
export const PAGE_SIZE = 500;
/** A token with less than this left is fetched again (the session keeps it fresher than that). */
const TOKEN_MARGIN_MS = 15_000;

export class MarketsError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'MarketsError';
    this.status = status;
  }
}

/** A readable message from an RFC 9457 problem (kline-service, the token route), else the HTTP status. */
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

/** The kline token, fetched from the portal and reused until shortly before it expires. */
export function createTokenSource(tokenUrl: string, fetchImpl: typeof fetch = fetch) {
  let cached: { token: string; expiresAtMs: number } | undefined;
  return async function token(): Promise<string> {
    if (cached && cached.expiresAtMs - Date.now() > TOKEN_MARGIN_MS) return cached.token;
    const response = await fetchImpl(tokenUrl, { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) {
      const message =
        response.status === 401 ? 'Your session has ended. Sign in again.' : await problemMessage(response);
      throw new MarketsError(message, response.status);
    }
    const body = (await response.json()) as { access_token: string; expires_at: number };
    cached = { token: body.access_token, expiresAtMs: body.expires_at * 1000 };
    return body.access_token;
  };
}

export function createKlineApi(
  baseUrl: string,
  token: () => Promise<string>,
  fetchImpl: typeof fetch = fetch,
) {
  async function get(path: string, params: Record<string, string>): Promise<unknown> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetchImpl(url, {
      headers: { authorization: `Bearer ${await token()}`, accept: 'application/json' },
      cache: 'no-store',
    });
    if (!response.ok) throw new MarketsError(await problemMessage(response), response.status);
    return response.json();
  }
  return {
    async symbols(): Promise<{ symbols: SymbolInfo[]; intervals: string[] }> {
      const body = (await get('/api/v1/symbols', {})) as { symbols?: SymbolInfo[]; intervals?: string[] };
      if (!Array.isArray(body.symbols) || !Array.isArray(body.intervals))
        throw new MarketsError('kline-service answered an unexpected symbols document', 502);
      return { symbols: body.symbols, intervals: body.intervals };
    },
    /** The newest PAGE_SIZE candles up to `endTime` (all the latest when absent), ascending. */
    async klines(symbol: string, interval: string, endTime?: number): Promise<Candle[]> {
      const params: Record<string, string> = { symbol, interval, limit: String(PAGE_SIZE) };
      if (endTime !== undefined) params.endTime = String(endTime);
      return candlesFromRows(await get('/api/v1/klines', params));
    },
  };
}

export type KlineApi = ReturnType<typeof createKlineApi>;
