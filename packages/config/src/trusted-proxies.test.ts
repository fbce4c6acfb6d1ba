import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';
import { serviceShape } from './service-shape.ts';
import { DEFAULT_TRUSTED_PROXIES, parseCidr, trustedProxies } from './trusted-proxies.ts';

const shape = { TRUSTED_PROXIES: trustedProxies };

describe('TRUSTED_PROXIES', () => {
  it('defaults to loopback and the compose network', () => {
    expect(loadConfig(shape, {}).TRUSTED_PROXIES).toEqual([...DEFAULT_TRUSTED_PROXIES]);
    expect(DEFAULT_TRUSTED_PROXIES).toEqual(['127.0.0.0/8', '::1/128', '172.28.0.0/16']);
  });

  it('is part of every service shape', () => {
    expect(loadConfig(serviceShape('svc', 3000), { TRUSTED_PROXIES: '10.1.0.0/16' }).TRUSTED_PROXIES).toEqual(
      ['10.1.0.0/16'],
    );
  });

  it('reads IPv4 and IPv6 blocks and bare addresses, trimmed, empty items dropped', () => {
    const config = loadConfig(shape, { TRUSTED_PROXIES: ' 10.0.0.0/8 , fd00::/8,,192.0.2.7, ::1 ' });
    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'fd00::/8', '192.0.2.7/32', '::1/128']);
  });

  it('trusts nobody when set to a lone comma', () => {
    expect(loadConfig(shape, { TRUSTED_PROXIES: ',' }).TRUSTED_PROXIES).toEqual([]);
  });

  it.each([
    ['a host name', 'gateway.internal', 'is not an IPv4 or IPv6 CIDR block'],
    ['an IPv4 prefix over 32', '10.0.0.0/33', 'prefix length outside 0-32'],
    ['an IPv6 prefix over 128', 'fd00::/129', 'prefix length outside 0-128'],
    ['a non-numeric prefix', '10.0.0.0/x', 'prefix length outside'],
    ['two slashes', '10.0.0.0/8/8', 'is not an IPv4 or IPv6 CIDR block'],
    ['a bad octet', '10.0.0.300/32', 'is not an IPv4 or IPv6 CIDR block'],
  ])('refuses %s, naming the variable', (_label, value, message) => {
    const attempt = () => loadConfig(shape, { TRUSTED_PROXIES: `127.0.0.1/32,${value}` });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^invalid configuration: TRUSTED_PROXIES: /);
    expect(attempt).toThrow(message);
  });

  it('parses one block to canonical form', () => {
    expect(parseCidr('10.0.0.0/08')).toBe('10.0.0.0/8');
    expect(parseCidr('2001:db8::1')).toBe('2001:db8::1/128');
  });
});
