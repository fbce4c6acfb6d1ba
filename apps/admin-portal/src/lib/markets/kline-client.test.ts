import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKlineApi, createTokenSource, MarketsError, PAGE_SIZE } from './kline-client.ts';

// Against a real HTTP server standing in for the portal's token route and kline-service (their answers
// as documented), so URLs, headers and status handling go through a real fetch.

interface Seen {
  path: string;
  authorization: string | undefined;
}

describe('Markets browser client', () => {
  let server: Server;
  let base = '';
  let seen: Seen[] = [];
  let tokenExpiresIn = 300;
  let tokenStatus = 200;
  let issued = 0;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      seen.push({ path: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
      const send = (status: number, body: unknown, type = 'application/json') => {
        response.writeHead(status, { 'content-type': type });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (url.pathname === '/token') {
        if (tokenStatus !== 200) return send(tokenStatus, { title: 'Forbidden', detail: 'No kline:read.' });
        issued += 1;
        return send(200, {
          access_token: `token-${issued}`,
          token_type: 'Bearer',
          expires_at: Math.floor(Date.now() / 1000) + tokenExpiresIn,
        });
      }
      if (url.pathname === '/kline/api/v1/symbols')
        return send(200, {
          symbols: [{ symbol: 'BTCUSDT', lastPrice: '2.5', trades: 4 }],
          intervals: ['1m'],
        });
      // Something that is not kline-service's symbols document.
      if (url.pathname === '/other/api/v1/symbols') return send(200, { items: [] });
      if (url.pathname === '/kline/api/v1/klines') {
        if (url.searchParams.get('symbol') !== 'BTCUSDT')
          return send(
            400,
            { title: 'Bad Request', detail: 'unknown symbol NOPE', code: 'unknown_symbol' },
            'application/problem+json',
          );
        return send(200, [
          [120_000, '2', '3', '1', '2.5', '4', 179_999, '10', 3, '1', '2', '0'],
          [60_000, '1', '2', '0.5', '1.5', '1', 119_999, '1.5', 1, '0', '0', '0'],
        ]);
      }
      send(404, 'not found', 'text/plain');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
    tokenExpiresIn = 300;
    tokenStatus = 200;
  });

  it('reuses the kline token until shortly before it expires', async () => {
    const token = createTokenSource(`${base}/token`);
    const first = await token();
    expect(await token()).toBe(first);
    expect(seen.filter((s) => s.path === '/token')).toHaveLength(1);

    tokenExpiresIn = 5; // inside the margin: fetched again at every use
    const shortLived = createTokenSource(`${base}/token`);
    const a = await shortLived();
    const b = await shortLived();
    expect(a).not.toBe(b);
  });

  it('says the session ended on 401 and passes the problem detail on other refusals', async () => {
    tokenStatus = 401;
    await expect(createTokenSource(`${base}/token`)()).rejects.toMatchObject({
      status: 401,
      message: 'Your session has ended. Sign in again.',
    });
    tokenStatus = 403;
    const refused = createTokenSource(`${base}/token`)();
    await expect(refused).rejects.toBeInstanceOf(MarketsError);
    await expect(refused).rejects.toMatchObject({ status: 403, message: 'No kline:read.' });
  });

  it('asks kline-service for a page with the bearer token, paging left with endTime, ascending', async () => {
    const api = createKlineApi(`${base}/kline`, createTokenSource(`${base}/token`));
    const candles = await api.klines('BTCUSDT', '1m', 59_999);
    expect(candles.map((c) => c.openTime)).toEqual([60_000, 120_000]);
    const request = seen.find((s) => s.path.startsWith('/kline/api/v1/klines'))!;
    expect(request.authorization).toMatch(/^Bearer token-\d+$/);
    expect(Object.fromEntries(new URL(request.path, 'http://x').searchParams)).toEqual({
      symbol: 'BTCUSDT',
      interval: '1m',
      limit: String(PAGE_SIZE),
      endTime: '59999',
    });
    await api.klines('BTCUSDT', '1m');
    expect(seen.at(-1)?.path).not.toContain('endTime');
  });

  it('reports kline-service’s problem detail, and refuses a symbols document of the wrong shape', async () => {
    const api = createKlineApi(`${base}/kline`, createTokenSource(`${base}/token`));
    await expect(api.klines('NOPE', '1m')).rejects.toMatchObject({
      status: 400,
      message: 'unknown symbol NOPE',
    });
    expect(await api.symbols()).toEqual({
      symbols: [{ symbol: 'BTCUSDT', lastPrice: '2.5', trades: 4 }],
      intervals: ['1m'],
    });
    const other = createKlineApi(`${base}/other`, createTokenSource(`${base}/token`));
    await expect(other.symbols()).rejects.toMatchObject({
      message: 'kline-service answered an unexpected symbols document',
    });
    const elsewhere = createKlineApi(`${base}/nothing`, createTokenSource(`${base}/token`));
    await expect(elsewhere.klines('BTCUSDT', '1m')).rejects.toMatchObject({
      status: 404,
      message: 'HTTP 404',
    });
  });
});
