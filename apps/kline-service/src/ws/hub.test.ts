import { afterEach, describe, expect, it } from 'vitest';
import type { Candle } from '../market/candle.ts';
import { KlineHub, type Subscriber } from './hub.ts';
import { parseStreamName } from './streams.ts';

const T0 = Date.parse('2024-05-06T10:00:00Z');
const candle = (openTime: number, trades: number): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime,
  closeTime: openTime + 59_999,
  open: 1n,
  high: 1n,
  low: 1n,
  close: 1n,
  volume: 1n,
  quoteVolume: 1n,
  trades,
  takerBuyVolume: 0n,
  takerBuyQuoteVolume: 0n,
  firstTradeTime: openTime,
  firstTradeId: 1,
  lastTradeTime: openTime,
  lastTradeId: trades,
});

function subscriber(buffered = 0) {
  const received: string[] = [];
  let dropped = 0;
  const sub: Subscriber = {
    send: (data) => void received.push(data),
    bufferedAmount: () => buffered,
    drop: () => {
      dropped += 1;
    },
  };
  return { sub, received, dropped: () => dropped };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stream = parseStreamName('btcusdt@kline_1m')!;

describe('KlineHub', () => {
  let hub: KlineHub;
  afterEach(() => hub.close());

  it('drops a slow consumer and keeps serving the others', async () => {
    let drops = 0;
    hub = new KlineHub({
      clock: () => T0,
      maxBufferedBytes: 1000,
      onDrop: () => {
        drops += 1;
      },
    });
    const slow = subscriber(5000);
    const fast = subscriber(0);
    hub.subscribe(slow.sub, stream);
    hub.subscribe(fast.sub, stream);
    hub.publish([candle(T0, 1)]);
    await wait(20);
    expect(slow.dropped()).toBe(1);
    expect(slow.received).toEqual([]);
    expect(fast.received).toHaveLength(1);
    expect(drops).toBe(1);
  });

  it('sends the state of each changed candle once per flush, coalescing updates in between', async () => {
    hub = new KlineHub({ clock: () => T0, minFlushIntervalMs: 100 });
    const a = subscriber();
    hub.subscribe(a.sub, stream);
    hub.publish([candle(T0, 1)]);
    await wait(20);
    for (let n = 2; n <= 6; n += 1) hub.publish([candle(T0, n)]);
    await wait(20);
    expect(a.received).toHaveLength(1);
    await wait(120);
    expect(a.received.map((m) => JSON.parse(m).k.n)).toEqual([1, 6]);
  });

  it('sends nothing for streams nobody subscribed to, and nothing after unsubscribing', async () => {
    hub = new KlineHub({ clock: () => T0 });
    const a = subscriber();
    hub.subscribe(a.sub, stream);
    hub.unsubscribe(a.sub, stream.name);
    hub.publish([candle(T0, 1)]);
    await wait(20);
    expect(a.received).toEqual([]);
    expect(hub.streamCount()).toBe(0);
  });

  it('marks a late update to an older candle as closed', async () => {
    hub = new KlineHub({ clock: () => T0 + 90_000 });
    const a = subscriber();
    hub.publish([candle(T0 + 60_000, 1)]);
    hub.subscribe(a.sub, stream);
    hub.publish([candle(T0, 3)]);
    await wait(20);
    expect(a.received.map((m) => [JSON.parse(m).k.t, JSON.parse(m).k.x])).toEqual([[T0, true]]);
  });

  it('parses stream names case-insensitively and refuses others', () => {
    expect(parseStreamName('ETHUSDT@kline_1M')).toEqual({
      name: 'ethusdt@kline_1M',
      symbol: 'ETHUSDT',
      interval: '1M',
    });
    for (const bad of ['btcusdt@kline_1mo', 'btcusdt@trade', '@kline_1m', 'btc-usdt@kline_1m', 42]) {
      expect(parseStreamName(bad)).toBeNull();
    }
  });
});
