import { BlockList, isIP } from 'node:net';

// Addresses an http step must not reach unless an operator listed the exact origin: they are this host, the
// private network behind it, or a cloud metadata service, none of which a workflow author should be able to
// read or send flow-service's tokens to.
const RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (cloud metadata)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments (cloud metadata)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (private)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  // NAT64 and 6to4 embed an IPv4 address that may be any of the above.
  ['64:ff9b::', 96, 'ipv6', 'NAT64'],
  ['2002::', 16, 'ipv6', '6to4'],
];

const lists = RANGES.map(([network, prefix, type, label]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, label };
});

/**
 * Why `address` is not a public unicast address (e.g. "loopback"), or null when it is. IPv4-mapped IPv6
 * addresses are judged by the IPv4 address they carry.
 */
export function restrictedRange(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { list, label } of lists) if (list.check(address, type)) return label;
  return null;
}
