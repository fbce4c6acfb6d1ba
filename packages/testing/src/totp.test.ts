import { describe, expect, it } from 'vitest';
import { base32Decode, hotp, RFC6238_SECRET, RFC6238_SHA1_VECTORS } from './totp.ts';

describe('the independent RFC 6238 implementation the tests use', () => {
  it('gives the Appendix B codes', () => {
    for (const [seconds, code] of RFC6238_SHA1_VECTORS)
      expect(hotp(RFC6238_SECRET, Math.floor(seconds / 30), 8)).toBe(code);
  });

  it('decodes base32 as an authenticator app receives the secret', () => {
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual(RFC6238_SECRET);
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(RFC6238_SECRET);
    expect(() => base32Decode('GEZ1')).toThrow('not base32: 1');
  });
});
