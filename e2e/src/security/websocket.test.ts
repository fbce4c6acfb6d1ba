import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { createTestIssuer, type SpawnedService, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { INTERVALS } from '../../../apps/kline-service/src/market/intervals.ts';
import { startService } from '../service.ts';
import { openRawWebSocket } from './raw-websocket.ts';

const KLINE_DIR = join(import.meta.dirname, '..', '..', '..', 'apps/kline-service');
const AUDIENCE = 'http://127.0.0.1:8080/kline';
const MAX_BUFFERED = 65_536;
const MAX_SOCKETS = 3;
// 13 symbols × the 15 intervals below a month: 195 streams, within the 200 one socket may hold.
const STREAM_INTERVALS = INTERVALS.filter((interval) => interval !== '1M');
const SYMBOLS = Array.from({ length: 13 }, (_, i) => `SEC${i}USDT`);

/** Opens a library client; resolves with it, or rejects with the refused status and body. */
function open(url: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () =>
        reject(
          Object.assign(new Error(`HTTP ${response.statusCode}`), {
            status: response.statusCode,
            contentType: response.headers['content-type'],
            body,
          }),
        ),
      );
    });
    socket.once('error', reject);
  });
}

async function metric(kline: SpawnedService, name: string): Promise<number> {
  const text = await (await fetch(`${kline.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

describeEachDialect('kline-service WebSocket limits', (temp) => {
  let issuer: TestIssuer;
  let kline: SpawnedService;
  let url: string;
  const token = (scope = 'kline:read') => issuer.mint({ aud: AUDIENCE, client_id: 'client-a', scope });

  beforeAll(async () => {
    issuer = await createTestIssuer();
    const env = {
      DATABASE_URL: temp().url,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OAUTH_ISSUER: issuer.issuer,
      OAUTH_JWKS_URL: issuer.jwksUri,
      TOKEN_AUDIENCE: AUDIENCE,
      KLINE_WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
      KLINE_WS_MAX_SOCKETS_PER_TOKEN: String(MAX_SOCKETS),
    };
    kline = await startService(KLINE_DIR, env);
    url = `${kline.url.replace('http', 'ws')}/kline/ws`;
    // Symbols must exist before they can be subscribed to.
    const time = Date.now() - 60_000;
    const ingest = await fetch(`${kline.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('kline:write')}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        trades: SYMBOLS.map((symbol) => ({ symbol, id: 1, price: '1', qty: '1', time, takerSide: 'buy' })),
      }),
    });
    expect(ingest.status).toBe(200);
  });
  afterAll(async () => {
    await kline?.stop();
    await issuer?.close();
  });

  it('drops a client that floods control messages and never reads, at KLINE_WS_MAX_BUFFERED_BYTES', async () => {
    const dropsBefore = await metric(kline, 'kline_ws_slow_consumers_dropped_total');
    const raw = await openRawWebSocket(url, { authorization: `Bearer ${await token()}` });
    // 195 streams make every LIST_SUBSCRIPTIONS reply ~4 KB for a ~45-byte request.
    const streams = SYMBOLS.flatMap((s) => STREAM_INTERVALS.map((i) => `${s.toLowerCase()}@kline_${i}`));
    expect(await raw.sendText(JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: 1 }))).toBe(true);
    // 8,000 requests ask for ~32 MB of replies: far beyond the socket buffers and the limit.
    let sent = 0;
    let connected = true;
    const closed = raw.closed.then(() => {
      connected = false;
    });
    for (; sent < 8_000 && connected; sent += 1) {
      if (!(await raw.sendText(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: sent })))) break;
    }
    // The requests fit in the kernel's buffers, so all may be sent before the service has read them; on a
    // busy machine it takes a while to answer enough of them to pass its limit.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    raw.socket.destroy();
    expect(connected, `still open after ${sent} unread requests`).toBe(false);
    expect(await metric(kline, 'kline_ws_slow_consumers_dropped_total')).toBeGreaterThan(dropsBefore);
    // The service still serves everyone else.
    const other = await open(url, await token());
    other.close();
  }, 60_000);

  it(`refuses a token's socket beyond KLINE_WS_MAX_SOCKETS_PER_TOKEN (${MAX_SOCKETS}) with a 429 problem before the upgrade`, async () => {
    const shared = await token();
    const sockets = [];
    for (let i = 0; i < MAX_SOCKETS; i += 1) sockets.push(await open(url, shared));
    const refused = await open(url, shared).then(
      (socket) => {
        socket.close();
        return null;
      },
      (error: { status?: number; contentType?: string; body?: string }) => error,
    );
    expect(refused).toMatchObject({ status: 429, contentType: expect.stringMatching(/problem\+json/) });
    expect(JSON.parse(refused!.body!)).toMatchObject({ status: 429, type: 'urn:problem:too_many_sockets' });
    // Another token is counted on its own.
    const otherToken = await open(url, await token());
    otherToken.close();
    // Closing one frees its place for the same token.
    sockets.pop()!.close();
    let again: WebSocket | null = null;
    for (let attempt = 0; attempt < 40 && !again; attempt += 1) {
      again = await open(url, shared).catch(() => null);
      if (!again) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(again).not.toBeNull();
    for (const socket of [...sockets, again!]) socket.close();
  });
});
