import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Where forwarding headers may come from when TRUSTED_PROXIES is unset: loopback (the gateway on the same
 * host, as in development and under systemd) and the compose network, pinned to this subnet in
 * docker-compose.yml so the gateway's container address falls inside it.
 */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.0/8', '::1/128', '172.28.0.0/16'] as const;

/** One CIDR block (or a bare address, meaning that host alone) in canonical `address/prefix` form. */
export function parseCidr(text: string): string {
  const [address = '', prefixText, extra] = text.split('/');
  const family = isIP(address);
  if (extra !== undefined || family === 0) throw new Error(`"${text}" is not an IPv4 or IPv6 CIDR block`);
  const bits = family === 4 ? 32 : 128;
  if (prefixText === undefined) return `${address}/${bits}`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
    throw new Error(`"${text}" has a prefix length outside 0-${bits}`);
  return `${address}/${Number(prefixText)}`;
}

/**
 * TRUSTED_PROXIES: comma-separated CIDR blocks (IPv4 and IPv6) of the proxies whose X-Forwarded-For/-Proto/
 * -Host a service believes. A request from any other address is taken at its socket address, whatever
 * headers it sends.
 */
export const trustedProxies = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const items =
      value === undefined
        ? [...DEFAULT_TRUSTED_PROXIES]
        : value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean);
    const blocks: string[] = [];
    for (const item of items) {
      try {
        blocks.push(parseCidr(item));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }
    return blocks;
  });
