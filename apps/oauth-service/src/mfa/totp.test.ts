import { base32Decode, currentStep, RFC6238_SHA1_VECTORS, totpAtStep } from '@platform/testing';
import { describe, expect, it } from 'vitest';
import { matchTotpStep, newTotpSecret, totpQrSvg, totpStep, totpUri } from './totp.ts';

const RFC_VECTORS = RFC6238_SHA1_VECTORS;
// The same secret in base32, as an app would receive it.
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP verification (otpauth, SHA-1, 6 digits, 30 s)', () => {
  it('accepts the Appendix B codes (their last six digits) at their time, naming the step', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(matchTotpStep(RFC_SECRET_BASE32, code.slice(2), seconds * 1000)).toBe(Math.floor(seconds / 30));
    }
  });

  it('accepts one step either side of the clock and nothing further', () => {
    const secret = newTotpSecret();
    const at = Date.now();
    const step = currentStep(at);
    for (const delta of [-1, 0, 1])
      expect(matchTotpStep(secret, totpAtStep(secret, step + delta), at)).toBe(step + delta);
    for (const delta of [-3, -2, 2, 3]) {
      const code = totpAtStep(secret, step + delta);
      // A code of a far step may equal one inside the window by chance (1 in 10^6); only then is it accepted.
      const inWindow = [-1, 0, 1].some((d) => totpAtStep(secret, step + d) === code);
      if (!inWindow) expect(matchTotpStep(secret, code, at)).toBeUndefined();
    }
  });

  it('refuses malformed codes and tolerates the spaces apps show', () => {
    const secret = newTotpSecret();
    const at = Date.now();
    const code = totpAtStep(secret, totpStep(at));
    expect(matchTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, at)).toBe(totpStep(at));
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`, ' '.repeat(6)])
      expect(matchTotpStep(secret, bad, at)).toBeUndefined();
  });

  it('makes 160-bit base32 secrets, an otpauth URI and an SVG QR code for enrolment', async () => {
    const secret = newTotpSecret();
    expect(base32Decode(secret)).toHaveLength(20);
    const uri = totpUri(secret, { issuer: 'localhost:8080', account: 'ann' });
    expect(uri).toMatch(/^otpauth:\/\/totp\/localhost%3A8080:ann\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(new URL(uri).searchParams.get('period')).toBe('30');
    const svg = await totpQrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toMatch(/<script|style=/);
  });
});
