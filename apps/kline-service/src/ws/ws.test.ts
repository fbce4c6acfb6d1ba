import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Harness, startHarness } from '../test/harness.ts';

const T0 = Date.parse('2024-05-06T10:00:00Z');

/** A test client: every JSON message it receives, and a way to wait for the next ones. */
class Client {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(
    url: string,
    options: { headers?: Record<string, string>; protocols?: string[]; autoPong?: boolean } = {},
  ) {
    const socket = new WebSocket(url, options.protocols ?? [], {
      headers: options.headers ?? {},
      autoPong: options.autoPong ?? true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
    return new Client(socket);
  }

  /** Waits until `count` messages (in all) match, or fails after `ms`. */
  async waitFor(predicate: (m: Record<string, unknown>) => boolean, count = 1, ms = 3000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const matching = this.messages.filter(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async request(method: string, params?: unknown[], id: unknown = Math.floor(Math.random() * 1e9)) {
    this.socket.send(JSON.stringify({ method, ...(params ? { params } : {}), id }));
    const [reply] = await this.waitFor((m) => m.id === id && ('result' in m || 'error' in m));
    return reply!;
  }

  close() {
    this.socket.close();
  }
}

const klines = (m: Record<string, unknown>) => m.e === 'kline';
const k = (m: Record<string, unknown>) => m.k as Record<string, unknown>;

describeEachDialect('WebSocket /kline/ws', (temp) => {
  let h: Harness;
  let url: string;
  let clock = T0 + 30_000;
  let readHeader: Record<string, string>;
  let write: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness(temp().url, {
      clock: () => clock,
      config: { KLINE_WS_PING_INTERVAL_MS: 300 },
    });
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    url = `${address.replace('http', 'ws')}/kline/ws`;
    readHeader = { authorization: `Bearer ${await h.token('kline:read')}` };
    write = { authorization: `Bearer ${await h.token('kline:write')}` };
    // The symbol must exist before it can be subscribed to.
    await ingest([{ id: 1, price: '10', qty: '1', time: T0 - 60_000, takerSide: 'buy' }]);
  });
  afterAll(() => h.close());

  async function ingest(trades: Array<Record<string, unknown>>) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: write,
      payload: { trades: trades.map((t) => ({ symbol: 'BTCUSDT', ...t })) },
    });
    expect(res.statusCode).toBe(200);
  }

  it('refuses the upgrade without a token (401), without kline:read (403), or with a token in the query (401)', async () => {
    await expect(Client.open(url)).rejects.toThrow('HTTP 401');
    const writeOnly = { authorization: `Bearer ${await h.token('kline:write')}` };
    await expect(Client.open(url, { headers: writeOnly })).rejects.toThrow('HTTP 403');
    const token = await h.token('kline:read');
    await expect(Client.open(`${url}?access_token=${token}`)).rejects.toThrow('HTTP 401');
  });

  it('accepts the token as a browser would send it: subprotocols kline.v1 + bearer.<token>', async () => {
    const token = await h.token('kline:read');
    const client = await Client.open(url, { protocols: ['kline.v1', `bearer.${token}`] });
    expect(client.socket.protocol).toBe('kline.v1');
    expect(await client.request('LIST_SUBSCRIPTIONS', undefined, 1)).toEqual({ result: [], id: 1 });
    client.close();
    await expect(Client.open(url, { protocols: ['kline.v1', 'bearer.not-a-token'] })).rejects.toThrow(
      'HTTP 401',
    );
  });

  it('streams the correct OHLCV for subscribed streams and the closed flag at rollover', async () => {
    const client = await Client.open(url, { headers: readHeader });
    expect(await client.request('SUBSCRIBE', ['btcusdt@kline_1m'], 7)).toEqual({ result: null, id: 7 });

    await ingest([
      { id: 10, price: '100', qty: '1', time: T0 + 5_000, takerSide: 'buy' },
      { id: 11, price: '103.5', qty: '2', time: T0 + 20_000, takerSide: 'sell' },
    ]);
    const [first] = await client.waitFor(klines);
    expect(first).toMatchObject({ e: 'kline', s: 'BTCUSDT' });
    expect(k(first!)).toEqual({
      t: T0,
      T: T0 + 59_999,
      s: 'BTCUSDT',
      i: '1m',
      f: 10,
      L: 11,
      o: '100.00000000',
      c: '103.50000000',
      h: '103.50000000',
      l: '100.00000000',
      v: '3.00000000',
      n: 2,
      x: false,
      q: '307.00000000',
      V: '1.00000000',
      Q: '100.00000000',
      B: '0',
    });

    // A trade in the next minute: the 10:00 candle goes out closed, then the 10:01 candle, open.
    await ingest([{ id: 12, price: '99', qty: '1', time: T0 + 62_000, takerSide: 'buy' }]);
    const all = await client.waitFor(klines, 3);
    expect(all.slice(1).map((m) => [k(m).t, k(m).x, k(m).c, k(m).n])).toEqual([
      [T0, true, '103.50000000', 2],
      [T0 + 60_000, false, '99.00000000', 1],
    ]);
    expect((all[0]!.E as number) <= (all[2]!.E as number)).toBe(true);
    client.close();
  });

  it('sends the closing message when the close time passes on the clock, with no further trade', async () => {
    const client = await Client.open(url, { headers: readHeader });
    await client.request('SUBSCRIBE', ['BTCUSDT@kline_1m']);
    // 10:01 is the latest candle; move the clock past its close.
    clock = T0 + 121_000;
    const [closing] = await client.waitFor(klines);
    expect([k(closing!).t, k(closing!).x]).toEqual([T0 + 60_000, true]);
    clock = T0 + 30_000;
    client.close();
  });

  it('coalesces a burst to at most 10 updates per second per stream, ending on the latest state', async () => {
    const client = await Client.open(url, { headers: readHeader });
    await client.request('SUBSCRIBE', ['btcusdt@kline_1h']);
    const started = performance.now();
    for (let i = 0; i < 40; i += 1)
      await ingest([{ id: 100 + i, price: '50', qty: '1', time: T0 + 70_000 + i, takerSide: 'buy' }]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const elapsed = (performance.now() - started) / 1000;
    const updates = client.messages.filter(klines);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(elapsed * 10) + 1);
    expect(updates.length).toBeLessThan(40);
    // Trades 10, 11 and 12 earlier in the 10:00 hour, plus the 40 of the burst.
    expect(k(updates.at(-1)!).n).toBe(43);
    client.close();
  });

  it('unsubscribes, lists subscriptions and answers bad requests with Binance-style errors', async () => {
    const client = await Client.open(url, { headers: readHeader });
    await client.request('SUBSCRIBE', ['btcusdt@kline_1s', 'btcusdt@kline_1M']);
    expect((await client.request('LIST_SUBSCRIPTIONS', undefined, 3)).result).toEqual([
      'btcusdt@kline_1s',
      'btcusdt@kline_1M',
    ]);
    await client.request('UNSUBSCRIBE', ['btcusdt@kline_1s', 'btcusdt@kline_1M']);
    await ingest([{ id: 500, price: '1', qty: '1', time: T0 + 90_000, takerSide: 'buy' }]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(client.messages.filter(klines)).toEqual([]);

    expect(await client.request('SUBSCRIBE', ['btcusdt@trade'], 4)).toMatchObject({
      error: { code: 2 },
      id: 4,
    });
    expect(await client.request('SUBSCRIBE', ['btcusdt@kline_2m'], 5)).toMatchObject({
      error: { code: 2 },
      id: 5,
    });
    const unknown = await client.request('SUBSCRIBE', ['dogeusdt@kline_1m'], 6);
    expect((unknown.error as { msg: string }).msg).toMatch(/unknown symbol: DOGEUSDT/);
    expect(await client.request('PING', [], 8)).toMatchObject({ error: { code: 2 }, id: 8 });
    client.socket.send('{not json');
    const [invalid] = await client.waitFor((m) => (m.error as { code?: number } | undefined)?.code === 3);
    expect(invalid).toEqual({ error: { code: 3, msg: 'Invalid JSON' }, id: null });
    client.close();
  });

  it('pings clients and drops one that stops answering', async () => {
    const quiet = await Client.open(url, { headers: readHeader, autoPong: false });
    const lively = await Client.open(url, { headers: readHeader });
    let pings = 0;
    lively.socket.on('ping', () => {
      pings += 1;
    });
    const closed = await quiet.closed;
    // Terminated without a close frame: 1006.
    expect(closed.code).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(lively.socket.readyState).toBe(WebSocket.OPEN);
    lively.close();
    await lively.closed;
  });

  it('closes the socket when the token expires (1008)', async () => {
    const client = await Client.open(url, {
      headers: { authorization: `Bearer ${await h.token('kline:read', { expiresIn: 1 })}` },
    });
    expect(await client.closed).toEqual({ code: 1008, reason: 'token expired' });
  });

  it('counts open WebSocket clients in /metrics', async () => {
    const gauge = async () =>
      Number(
        /^kline_ws_clients (\d+)$/m.exec((await h.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1],
      );
    // Sockets of earlier tests may still be closing on the server side; wait for the count to settle.
    let before = await gauge();
    for (let i = 0; i < 40 && before > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      before = await gauge();
    }
    expect(before).toBe(0);
    const client = await Client.open(url, { headers: readHeader });
    expect(await gauge()).toBe(1);
    client.close();
    await client.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await gauge()).toBe(0);
  });
});
