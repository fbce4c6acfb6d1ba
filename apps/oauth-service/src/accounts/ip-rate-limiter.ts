import { isIPv4, isIPv6 } from 'node:net';

/**
 * Sign-in attempts per client address, in memory, per instance: a sliding window log (each admitted
 * attempt's time is kept for one window), so a client gets at most `limit` attempts in ANY window-long
 * span, with no burst at window edges. With N instances behind the gateway a client can get up to N×limit;
 * the per-account lock (in the database) is what holds across instances, this only slows password spraying.
 * Refused attempts are not logged, so a client hammering the endpoint still regains its full rate one
 * window after it stops.
 */
export interface IpRateLimiter {
  /** Admits and counts one attempt from `ip`, or returns false when the address is over its limit. */
  take(ip: string): boolean;
  /** Addresses currently tracked (for tests and memory checks). */
  readonly size: number;
}

export interface IpRateLimiterOptions {
  limit: number;
  windowMs?: number;
  now?: () => number;
  /** Most addresses tracked at once; beyond it the least recently seen are forgotten. */
  maxTracked?: number;
}

/**
 * The key an address is limited under. IPv4 (also IPv4-mapped IPv6) is limited per address; IPv6 per /64,
 * because one subscriber usually holds a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function addressKey(ip: string): string {
  let address = ip.trim().toLowerCase();
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  if (isIPv6(address)) {
    const [head = '', tail] = address.split('::');
    const headGroups = head === '' ? [] : head.split(':');
    const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
    // An embedded dotted IPv4 (last group) fills two of the eight groups.
    const tailWidth = tailGroups.length + (tailGroups.at(-1)?.includes('.') ? 1 : 0);
    const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailWidth).fill('0');
    const groups = [...headGroups, ...zeros, ...tailGroups];
    return `${groups
      .slice(0, 4)
      .map((group) => Number.parseInt(group, 16).toString(16))
      .join(':')}::/64`;
  }
  // Not an address (a misconfigured proxy header, a test): still limited, under a bounded key.
  return address === '' ? 'unknown' : address.slice(0, 64);
}

export function createIpRateLimiter(options: IpRateLimiterOptions): IpRateLimiter {
  const { limit, windowMs = 60_000, now = Date.now, maxTracked = 100_000 } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  // Insertion order = order of last admitted attempt, because every admission re-inserts its key; so the
  // stale entries are always at the front and pruning stops at the first live one.
  const log = new Map<string, number[]>();

  function prune(at: number): void {
    for (const [key, times] of log) {
      if (times.at(-1)! > at - windowMs && log.size <= maxTracked) break;
      log.delete(key);
    }
  }

  return {
    take(ip) {
      const at = now();
      prune(at);
      const key = addressKey(typeof ip === 'string' ? ip : '');
      const times = (log.get(key) ?? []).filter((time) => time > at - windowMs);
      if (times.length >= limit) {
        log.set(key, times); // keeps its place: only admissions move a key to the back
        return false;
      }
      times.push(at);
      log.delete(key);
      log.set(key, times);
      return true;
    },
    get size() {
      return log.size;
    },
  };
}
