import { BlockList, isIP } from 'node:net';

/**
 * Fastify's `trustProxy` function for a list of CIDR blocks (TRUSTED_PROXIES). Only the directly connected
 * peer (hop 0) is ever trusted: the gateway overwrites X-Forwarded-For with the one address it saw, so the
 * header's last entry is the client, and nothing to its left (which a client could have written) is read.
 * A peer outside the list is taken at its socket address, and its X-Forwarded-* headers are ignored.
 */
export function proxyTrust(cidrs: readonly string[]): (address: string, hop: number) => boolean {
  const trusted = blockListOf(cidrs);
  return (address, hop) => {
    if (hop !== 0 || typeof address !== 'string') return false;
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** A BlockList of `address/prefix` blocks; throws an Error naming the first malformed block. */
export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix, extra] = String(cidr).split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    // Digits only: Number('') is 0, and a /0 block would trust every address.
    const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === 0 || extra !== undefined || !Number.isInteger(length) || length > bits)
      throw new Error(`${JSON.stringify(cidr)} is not an IPv4 or IPv6 CIDR block`);
    list.addSubnet(address, length, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
