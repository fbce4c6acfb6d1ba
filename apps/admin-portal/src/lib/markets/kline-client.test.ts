import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem.ts';
import { createKlineApi, createSessionCheck, PAGE_SIZE } from './kline-client.ts';

// Against a real HTTP server standing in for the portal's session route and Markets relay (their answers
// as documented), so URLs, headers and status handling go through a real fetch.

interface Seen {
  path: string;
  authorization: string | undefined;
}

describe('Markets browser client', () => {
  let server: Server;
  let base = '';
  let seen: Seen[] = [];
  let sessionStatus = 204;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      seen.push({ path: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
      const send = (status: number, body: unknown, type = 'application/json') => {
        response.writeHead(status, { 'content-type': type });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (url.pathname === '/session') {
        if (sessionStatus !== 204)
          return send(sessionStatus, { title: 'Forbidden', detail: 'No kline:read.' });
        response.writeHead(204);
        return response.end();
      }
      if (url.pathname === '/markets/api/symbols')
        return send(200, {
          symbols: [{ symbol: 'BTCUSDT', lastPrice: '2.5', trades: 4 }],
          intervals: ['1m'],
        });
      // Something that is not kline-service's symbols document.
      if (url.pathname === '/other/symbols') return send(200, { items: [] });
      if (url.pathname === '/markets/api/klines') {
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
    sessionStatus = 204;
  });

  it('passes a live session, says it ended on 401 and passes the problem detail on other refusals', async () => {
    await expect(createSessionCheck(`${base}/session`)()).resolves.toBeUndefined();
    sessionStatus = 401;
    await expect(createSessionCheck(`${base}/session`)()).rejects.toMatchObject({
      status: 401,
      message: 'Your session has ended. Sign in again.',
    });
    sessionStatus = 403;
    const refused = createSessionCheck(`${base}/session`)();
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 403, message: 'No kline:read.' });
  });

  it('asks the relay for a page without any token, paging left with endTime, ascending', async () => {
    const api = createKlineApi(`${base}/markets/api`);
    const candles = await api.klines('BTCUSDT', '1m', 59_999);
    expect(candles.map((c) => c.openTime)).toEqual([60_000, 120_000]);
    const request = seen.find((s) => s.path.startsWith('/markets/api/klines'))!;
    // The browser holds no token: the portal adds it on the server.
    expect(request.authorization).toBeUndefined();
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
    const api = createKlineApi(`${base}/markets/api`);
    await expect(api.klines('NOPE', '1m')).rejects.toMatchObject({
      status: 400,
      message: 'unknown symbol NOPE',
    });
    expect(await api.symbols()).toEqual({
      symbols: [{ symbol: 'BTCUSDT', lastPrice: '2.5', trades: 4 }],
      intervals: ['1m'],
    });
    const other = createKlineApi(`${base}/other`);
    await expect(other.symbols()).rejects.toMatchObject({
      message: 'kline-service answered an unexpected symbols document',
    });
    const elsewhere = createKlineApi(`${base}/nothing`);
    await expect(elsewhere.klines('BTCUSDT', '1m')).rejects.toMatchObject({
      status: 404,
      message: 'HTTP 404',
    });
  });
});
