import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { blockListOf, proxyTrust } from './proxy-trust.ts';
import { buildTestApp } from './test-support.ts';

let app: FastifyInstance;

afterEach(async () => {
  await app?.close();
});

async function setup(trustedProxies?: string[]) {
  ({ app } = await buildTestApp(trustedProxies ? { trustedProxies } : {}));
  app.get('/test/peer', async (request) => ({
    ip: request.ip,
    protocol: request.protocol,
    host: request.host,
  }));
  await app.ready();
}

const FORGED = {
  'x-forwarded-for': '6.6.6.6, 10.9.8.7',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.test',
  host: 'service.internal',
};

async function peer(remoteAddress: string) {
  const response = await app.inject({ url: '/test/peer', remoteAddress, headers: FORGED });
  return response.json() as { ip: string; protocol: string; host: string };
}

describe('trusted proxies', () => {
  it('ignores forwarding headers from an untrusted peer', async () => {
    await setup(['127.0.0.1/32', '::1/128']);
    expect(await peer('127.0.0.2')).toEqual({ ip: '127.0.0.2', protocol: 'http', host: 'service.internal' });
    expect(await peer('203.0.113.5')).toMatchObject({ ip: '203.0.113.5' });
    expect(await peer('2001:db8::5')).toMatchObject({ ip: '2001:db8::5', protocol: 'http' });
  });

  it('takes the last X-Forwarded-For hop, proto and host from a trusted peer, and nothing further left', async () => {
    await setup(['127.0.0.1/32', '::1/128']);
    const expected = { ip: '10.9.8.7', protocol: 'https', host: 'evil.test' };
    expect(await peer('127.0.0.1')).toEqual(expected);
    expect(await peer('::1')).toEqual(expected);
    // IPv4 peers of a dual-stack socket arrive IPv4-mapped.
    expect(await peer('::ffff:127.0.0.1')).toEqual(expected);
  });

  it('does not walk further left even when the last hop is itself a trusted address', async () => {
    await setup(['127.0.0.0/8']);
    const response = await app.inject({
      url: '/test/peer',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '6.6.6.6, 127.0.0.5' },
    });
    expect(response.json().ip).toBe('127.0.0.5');
  });

  it('uses the socket address for a trusted peer that sends no X-Forwarded-For', async () => {
    await setup(['127.0.0.1/32']);
    const response = await app.inject({ url: '/test/peer', remoteAddress: '127.0.0.1' });
    expect(response.json().ip).toBe('127.0.0.1');
  });

  it('trusts no one when no list is given', async () => {
    await setup();
    expect(await peer('127.0.0.1')).toEqual({ ip: '127.0.0.1', protocol: 'http', host: 'service.internal' });
  });

  it.each([
    ['a host name', 'gateway'],
    ['a prefix too long', '10.0.0.0/33'],
    ['a non-numeric prefix', '::1/x'],
    ['an empty prefix (read as /0 it would trust every address)', '10.0.0.0/'],
    ['a prefix with spaces', '10.0.0.0/ 8'],
  ])('refuses %s when the app is built', async (_label, cidr) => {
    await expect(buildTestApp({ trustedProxies: [cidr] })).rejects.toThrow(
      /createApp: `trustedProxies`: .* is not an IPv4 or IPv6 CIDR block/,
    );
  });
});

describe('proxyTrust', () => {
  it('trusts only hop 0, and only listed addresses', () => {
    const trust = proxyTrust(['192.0.2.0/24', 'fd00::/8']);
    expect(trust('192.0.2.200', 0)).toBe(true);
    expect(trust('192.0.2.200', 1)).toBe(false);
    expect(trust('192.0.3.1', 0)).toBe(false);
    expect(trust('fd12::1', 0)).toBe(true);
    expect(trust('fe80::1', 0)).toBe(false);
    expect(trust('not-an-address', 0)).toBe(false);
    expect(trust(undefined as unknown as string, 0)).toBe(false);
  });

  it('reads bare addresses as single hosts', () => {
    expect(blockListOf(['192.0.2.1']).check('192.0.2.1', 'ipv4')).toBe(true);
    expect(blockListOf(['192.0.2.1']).check('192.0.2.2', 'ipv4')).toBe(false);
  });
});
