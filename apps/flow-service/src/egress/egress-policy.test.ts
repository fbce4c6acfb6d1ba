import { describe, expect, it } from 'vitest';
import { restrictedRange } from './address-ranges.ts';
import { createEgressPolicy, type TargetCheck } from './egress-policy.ts';

const policy = (resolved: string[] = ['93.184.216.34']) =>
  createEgressPolicy({
    publicUrl: 'https://platform.example',
    resourceServers: [{ name: 'kline' }, { name: 'test', origin: 'http://test-service:3005' }],
    allowedOrigins: ['https://api.partner.example', 'http://10.1.2.3:8080', 'https://*.hooks.example'],
    resolve: async () => resolved.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  });
const ok = (check: TargetCheck) =>
  check.ok ? { resource: check.resource, trusted: check.trusted } : check.reason;

describe('egress policy', () => {
  it('allows the resource servers under PUBLIC_URL and their internal origins, with the audience they fix', () => {
    const p = policy();
    expect(ok(p.check('https://platform.example/kline/api/v1/candles'))).toEqual({
      resource: 'https://platform.example/kline',
      trusted: true,
    });
    expect(ok(p.check('http://test-service:3005/anything'))).toEqual({
      resource: 'https://platform.example/test',
      trusted: true,
    });
    expect(ok(p.check('https://api.partner.example/v1/x'))).toEqual({ resource: null, trusted: true });
    expect(ok(p.check('http://10.1.2.3:8080/x'))).toEqual({ resource: null, trusted: true });
    expect(ok(p.check('https://a.hooks.example/x'))).toEqual({ resource: null, trusted: false });
  });

  it('refuses other origins, other paths on PUBLIC_URL (dot segments included), credentials and other schemes', () => {
    const p = policy();
    for (const url of [
      'http://127.0.0.9:9977/kline/steal',
      'http://127.0.0.1:3001/api/metrics',
      'https://platform.example/api/admin/users',
      'https://platform.example/test/../api/metrics',
      'https://platform.example/test/%2e%2e/metrics',
      'https://platform.example.evil.test/kline/x',
      'https://api.partner.example:444/x',
      'http://api.partner.example/x',
      'https://hooks.example/x',
      'http://169.254.169.254/latest/meta-data',
    ])
      expect(p.check(url), url).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/not an allowed target/),
      });
    expect(p.check('https://user:pw@api.partner.example/x')).toMatchObject({
      ok: false,
      reason: /credentials/,
    });
    for (const url of [
      'https://platform.example/kline/..%2Fapi/metrics',
      'https://platform.example/kline/%2E%2E%5Cx',
    ])
      expect(p.check(url), url).toMatchObject({ ok: false, reason: /encoded dot, slash or backslash/ });
    expect(p.check('file:///etc/passwd')).toMatchObject({ ok: false, reason: /http and https only/ });
    expect(p.check('not a url')).toMatchObject({ ok: false, reason: /not an absolute/ });
  });

  it('judges what a wildcard host resolves to, and pins the checked address', async () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.5',
      '169.254.169.254',
      '100.100.100.200',
      '::1',
      'fd00:ec2::254',
    ]) {
      const p = policy(['93.184.216.34', address]);
      const target = p.check('https://a.hooks.example/x');
      expect(target.ok).toBe(true);
      expect(await p.resolve(target as Extract<TargetCheck, { ok: true }>), address).toMatchObject({
        ok: false,
        retryable: false,
        reason: expect.stringContaining(address),
      });
    }
    const p = policy(['93.184.216.34']);
    const target = p.check('https://a.hooks.example/x') as Extract<TargetCheck, { ok: true }>;
    expect(await p.resolve(target)).toEqual({ ok: true, address: '93.184.216.34', family: 4 });
    // A listed origin is trusted as configured: its private address is the point of listing it.
    const listed = policy(['10.9.9.9']);
    const internal = listed.check('https://api.partner.example/x') as Extract<TargetCheck, { ok: true }>;
    expect(await listed.resolve(internal)).toEqual({ ok: true, address: '10.9.9.9', family: 4 });
  });

  it('classifies loopback, private, link-local, CGNAT, unspecified and mapped addresses as restricted', () => {
    for (const address of [
      '127.0.0.1',
      '127.0.0.9',
      '0.0.0.0',
      '10.1.1.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '192.0.0.192',
      '::',
      '::1',
      'fc00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::7f00:1',
    ])
      expect(restrictedRange(address), address).not.toBeNull();
    for (const address of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111'])
      expect(restrictedRange(address), address).toBeNull();
  });
});
