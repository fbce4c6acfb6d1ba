import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';
import { MAX_BATCH, validateBatch } from './validate.ts';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const good = { symbol: 'BTCUSDT', id: 1, price: '1.5', qty: '2', time: NOW - 1000, takerSide: 'buy' };

describe('validateBatch', () => {
  it('names each bad item and field with the reason, and how many items were bad', () => {
    const result = validateBatch(
      {
        trades: [
          good,
          { ...good, id: 2, price: 1.5 },
          { ...good, id: 3, qty: '0' },
          { ...good, id: 4, time: 1_700_000_000 },
          { ...good, id: 5, symbol: 'btc/usdt', takerSide: 'long', extra: true },
          'not an object',
          { ...good, id: -1 },
          { ...good, id: 8, price: '1.123456789' },
          { ...good, id: 9, time: NOW + 61_000 },
          { symbol: 'BTCUSDT' },
        ],
      },
      NOW,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.invalid).toBe(9);
    expect(result.message).toBe('9 of 10 trades are invalid; the batch was refused and nothing was applied.');
    const by = (path: string) => result.issues.filter((i) => i.path === path).map((i) => i.message);
    expect(by('/trades/1/price')[0]).toMatch(/JSON number is refused/);
    expect(by('/trades/2/qty')[0]).toMatch(/greater than 0/);
    expect(by('/trades/3/time')[0]).toMatch(/epoch milliseconds/);
    expect(by('/trades/4/symbol')[0]).toMatch(/upper-case letters or digits/);
    expect(by('/trades/4/takerSide')[0]).toMatch(/"buy".*"sell"/);
    expect(by('/trades/4/extra')[0]).toBe('extra is not a trade field');
    expect(by('/trades/5')[0]).toMatch(/must be an object/);
    expect(by('/trades/6/id')[0]).toMatch(/non-negative integer/);
    expect(by('/trades/7/price')[0]).toMatch(/8 fractional digits/);
    expect(by('/trades/8/time')[0]).toMatch(/one minute ahead/);
    expect(by('/trades/9/id')).toEqual(['id is required']);
    expect(by('/trades/9/price')).toEqual(['price is required']);
    expect(result.issues.every((i) => i.in === 'body' && i.index >= 1)).toBe(true);
  });

  it('refuses one id carrying two different trades in a batch, but lets an exact repeat through once', () => {
    const conflict = validateBatch({ trades: [good, { ...good, price: '9' }] }, NOW);
    expect(conflict.ok).toBe(false);
    if (!conflict.ok) expect(conflict.issues[0]).toMatchObject({ path: '/trades/1/id', index: 1 });
    const repeat = validateBatch({ trades: [good, { ...good }] }, NOW);
    expect(repeat.ok && repeat.trades.length).toBe(1);
  });

  it('refuses bodies that are not a batch of 1 to 10,000 trades', () => {
    for (const body of [null, [], {}, { trades: [] }, { trades: 'x' }, { trades: [good], more: 1 }]) {
      expect(validateBatch(body, NOW).ok).toBe(false);
    }
    const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_, id) => ({ ...good, id }));
    expect(validateBatch({ trades: tooMany }, NOW).ok).toBe(false);
    expect(validateBatch({ trades: tooMany.slice(1) }, NOW).ok).toBe(true);
  });
});

describeEachDialect('ingest refusals', (temp) => {
  let h: Harness;
  let write: Record<string, string>;
  let read: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    write = { authorization: `Bearer ${await h.token('kline:write')}` };
    read = { authorization: `Bearer ${await h.token('kline:read')}` };
  });
  afterAll(() => h.close());
  const now = Date.now();
  const trade = (id: number, extra: object = {}) => ({ ...good, id, time: now - 1000, ...extra });

  it('answers 400 problem+json naming each bad item, and applies nothing of the batch', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: write,
      payload: { trades: [trade(1), trade(2, { price: '-1' }), trade(3), trade(4, { takerSide: 'x' })] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'invalid_trades', status: 400, invalid: 2 });
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual([
      '/trades/1/price',
      '/trades/3/takerSide',
    ]);
    // Nothing applied: the good trades 1 and 3 are not stored, the symbol is still unknown.
    const symbols = await h.app.inject({ method: 'GET', url: '/kline/api/v1/symbols', headers: read });
    expect(symbols.json().symbols).toEqual([]);
    // …so sending them again stores them as new.
    const retry = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: write,
      payload: { trades: [trade(1), trade(3)] },
    });
    expect(retry.json()).toEqual({ accepted: 2, duplicates: 0 });
  });

  it('refuses malformed JSON and oversized bodies without applying anything', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: { ...write, 'content-type': 'application/json' },
      payload: '{"trades": [',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_json');
  });

  it('needs kline:write to ingest: 401 without a token, 403 with only kline:read', async () => {
    const payload = { trades: [trade(50)] };
    const anonymous = await h.app.inject({ method: 'POST', url: '/kline/api/v1/trades', payload });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer realm="kline-service"/);
    const readOnly = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: read,
      payload,
    });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json().code).toBe('insufficient_scope');
    const otherAudience = await h.app.inject({
      method: 'POST',
      url: '/kline/api/v1/trades',
      headers: {
        authorization: `Bearer ${await h.token('kline:write', { aud: 'http://localhost:8080/test' })}`,
      },
      payload,
    });
    expect(otherAudience.statusCode).toBe(401);
    const symbols = await h.app.inject({ method: 'GET', url: '/kline/api/v1/symbols', headers: read });
    expect(symbols.json().symbols[0].trades).toBe(2);
  });
});
