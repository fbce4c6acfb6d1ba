import { describe, expect, it } from 'vitest';
import { TradeKeyMap } from './trade-keys.ts';

describe('TradeKeyMap', () => {
  it('keys by symbol and id together, keeps the first value of a key', () => {
    const map = new TradeKeyMap<string>();
    expect(map.addNew('BTCUSDT', 1, 'a')).toBe(true);
    expect(map.addNew('ETHUSDT', 1, 'b')).toBe(true);
    expect(map.addNew('BTCUSDT', 2, 'c')).toBe(true);
    expect(map.addNew('BTCUSDT', 1, 'z')).toBe(false);
    expect(map.get('BTCUSDT', 1)).toBe('a');
    expect(map.get('ETHUSDT', 1)).toBe('b');
    expect(map.has('ETHUSDT', 2)).toBe(false);
    expect(map.has('SOLUSDT', 1)).toBe(false);
    expect(map.get('SOLUSDT', 1)).toBeUndefined();
  });

  it('does not confuse a symbol ending in digits with another symbol and id', () => {
    // "A1" id 2 and "A" id 12 would both be "A12" without a separator; here they are distinct keys.
    const map = new TradeKeyMap<number>();
    map.addNew('A1', 2, 1);
    expect(map.has('A', 12)).toBe(false);
    expect(map.addNew('A', 12, 2)).toBe(true);
  });
});
