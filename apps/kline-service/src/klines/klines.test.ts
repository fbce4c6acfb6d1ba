import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';
import { ON_TIME } from '../test/market-fixture.ts';

describeEachDialect('klines query errors', (temp) => {
  let h: Harness;
  let read: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    read = { authorization: `Bearer ${await h.token('kline:read')}` };
    const write = { authorization: `Bearer ${await h.token('kline:write')}` };
    await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: write,
      payload: { trades: ON_TIME },
    });
  });
  afterAll(() => h.close());

  const get = (query: string, headers = read) =>
    h.app.inject({ method: 'GET', url: `/kline/api/v1/klines?${query}`, headers });

  it.each([
    ['interval=1m', 'missing_parameter', 'symbol'],
    ['symbol=BTCUSDT', 'missing_parameter', 'interval'],
    ['symbol=BTCUSDT&interval=1mo', 'unknown_interval', 'interval'],
    ['symbol=BTCUSDT&interval=2m', 'unknown_interval', 'interval'],
    ['symbol=BTCUSDT&interval=1m&limit=0', 'invalid_parameter', 'limit'],
    ['symbol=BTCUSDT&interval=1m&limit=1001', 'invalid_parameter', 'limit'],
    ['symbol=BTCUSDT&interval=1m&limit=ten', 'invalid_parameter', 'limit'],
    ['symbol=BTCUSDT&interval=1m&limit=007', 'invalid_parameter', 'limit'],
    ['symbol=%C5%BFOL&interval=1m', 'invalid_parameter', 'symbol'],
    ['symbol=BTCUSDT&interval=1m&endTime=1234567890123456', 'invalid_parameter', 'endTime'],
    ['symbol=BTCUSDT&interval=1m&startTime=-5', 'invalid_parameter', 'startTime'],
    ['symbol=BTCUSDT&interval=1m&endTime=1e12', 'invalid_parameter', 'endTime'],
    ['symbol=BTCUSDT&interval=1m&from=1', 'invalid_parameter', 'from'],
    ['symbol=BTCUSDT&symbol=ETHUSDT&interval=1m', 'invalid_parameter', 'symbol'],
  ])('%s → 400 %s naming %s', async (query, code, parameter) => {
    const res = await get(query);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code, parameter });
    expect(res.json().detail).toEqual(expect.any(String));
  });

  it('answers 404 unknown_symbol for a well-formed symbol without trades', async () => {
    const res = await get('symbol=NOPE&interval=1m');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'unknown_symbol', parameter: 'symbol' });
  });

  it('answers an empty list for a window whose start is after its end: no candle opens in it', async () => {
    const res = await get('symbol=BTCUSDT&interval=1m&startTime=2000&endTime=1000');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it('defaults limit to 500 and caps it at 1000', async () => {
    expect((await get('symbol=BTCUSDT&interval=1m&limit=1000')).statusCode).toBe(200);
    expect((await get('symbol=BTCUSDT&interval=1m')).json()).toHaveLength(2);
  });

  it('needs kline:read', async () => {
    expect((await get('symbol=BTCUSDT&interval=1m', {})).statusCode).toBe(401);
    const writeOnly = { authorization: `Bearer ${await h.token('kline:write')}` };
    expect((await get('symbol=BTCUSDT&interval=1m', writeOnly)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/kline/api/v1/symbols' })).statusCode).toBe(401);
  });

  it('publishes RFC 9728 metadata and an OpenAPI document of its routes', async () => {
    const metadata = await h.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-protected-resource/kline',
    });
    expect(metadata.json()).toMatchObject({
      resource: 'http://localhost:8080/kline',
      scopes_supported: ['kline:read', 'kline:write'],
      bearer_methods_supported: ['header'],
    });
    const openapi = (await h.app.inject({ method: 'GET', url: '/kline/openapi.json' })).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/kline/api/v1/trades', '/kline/api/v1/klines', '/kline/api/v1/symbols']),
    );
    // @fastify/swagger leaves WebSocket routes out; the protocol is described in the document's info.
    expect(openapi.info.description).toMatch(/\/kline\/ws.*kline\.v1.*SUBSCRIBE/s);
    expect(openapi.paths['/kline/api/v1/trades'].post.security).toEqual([{ bearer: ['kline:write'] }]);
  });
});
