import { describe, expect, it } from 'vitest';
import { validateBatch } from '../ingest/validate.ts';
import { MarketSimulator } from './market-simulator.ts';

describe('MarketSimulator', () => {
  it('produces valid, increasing trades that walk from where each symbol stands', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const now = Date.parse('2024-05-06T10:00:00Z');
    const simulator = new MarketSimulator({
      symbols: ['BTCUSDT', 'NEWUSDT'],
      tradesPerSecond: 5,
      start: [{ symbol: 'BTCUSDT', lastTradeId: 41, lastPrice: 6_000_000_000_000n }],
      submit: async () => {},
      random,
      now: () => now,
    });
    const batch = simulator.batch(50, 200);
    expect(batch).toHaveLength(100);
    const result = validateBatch({ trades: batch }, now);
    expect(result.ok).toBe(true);
    const btc = batch.filter((t) => t.symbol === 'BTCUSDT');
    expect(btc[0]!.id).toBe(42);
    expect(batch.find((t) => t.symbol === 'NEWUSDT')!.id).toBe(1);
    // A ±0.1% walk from 60,000 stays within 5% over 50 steps.
    for (const trade of btc) expect(Math.abs(Number(trade.price) - 60_000)).toBeLessThan(3_000);
    for (let i = 1; i < btc.length; i += 1) {
      expect(btc[i]!.time).toBeGreaterThanOrEqual(btc[i - 1]!.time);
      expect(btc[i]!.id).toBe(btc[i - 1]!.id + 1);
    }
    expect(btc.every((t) => t.time > now - 200 && t.time <= now)).toBe(true);
  });

  it('refuses to run without symbols or with a rate below 1', () => {
    expect(() => new MarketSimulator({ symbols: [], tradesPerSecond: 5, submit: async () => {} })).toThrow(
      /symbol/,
    );
    expect(() => new MarketSimulator({ symbols: ['A'], tradesPerSecond: 0, submit: async () => {} })).toThrow(
      /tradesPerSecond/,
    );
  });
});
