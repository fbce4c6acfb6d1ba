import { describe, expect, it } from 'vitest';
import { addressKey, createIpRateLimiter } from './ip-rate-limiter.ts';

describe('addressKey', () => {
  it('keys IPv4 per address, also when IPv4-mapped', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys IPv6 per /64 however it is written', () => {
    const key = addressKey('2001:db8:aa:bb:1:2:3:4');
    expect(key).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:0DB8:00aa:00bb::9')).toBe(key);
    expect(addressKey('2001:db8:aa:bb::1%eth0')).toBe(key);
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('2001:db8:aa:bc::1')).not.toBe(key);
  });

  it('still gives non-addresses a bounded key', () => {
    expect(addressKey('')).toBe('unknown');
    expect(addressKey('x'.repeat(500))).toHaveLength(64);
  });
});

describe('createIpRateLimiter', () => {
  it('admits `limit` attempts in any sliding window, per address', () => {
    let clock = 0;
    const limiter = createIpRateLimiter({ limit: 3, windowMs: 60_000, now: () => clock });
    expect(limiter.take('a')).toBe(true);
    clock = 10_000;
    expect(limiter.take('a')).toBe(true);
    clock = 20_000;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
    // Sliding, not fixed: just before a minute after the first attempt it still counts...
    clock = 59_999;
    expect(limiter.take('a')).toBe(false);
    // ...then only that one leaves the window, which frees exactly one attempt.
    clock = 60_001;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });

  it('does not count refused attempts, so hammering does not extend the block', () => {
    let clock = 0;
    const limiter = createIpRateLimiter({ limit: 1, windowMs: 1000, now: () => clock });
    expect(limiter.take('a')).toBe(true);
    for (clock = 1; clock < 1000; clock += 100) expect(limiter.take('a')).toBe(false);
    clock = 1001;
    expect(limiter.take('a')).toBe(true);
  });

  it('forgets idle addresses and caps how many it tracks', () => {
    let clock = 0;
    const limiter = createIpRateLimiter({ limit: 1, windowMs: 1000, now: () => clock, maxTracked: 3 });
    for (const ip of ['a', 'b', 'c', 'd', 'e']) limiter.take(ip);
    expect(limiter.size).toBeLessThanOrEqual(4);
    clock = 5000;
    limiter.take('f');
    expect(limiter.size).toBe(1);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => createIpRateLimiter({ limit: 0 })).toThrow(RangeError);
    expect(() => createIpRateLimiter({ limit: 1.5 })).toThrow(RangeError);
  });
});
