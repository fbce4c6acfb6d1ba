import { describe, expect, it } from 'vitest';
import { formatBase, formatQuote, parseInputDecimal, parseStoredDecimal, quoteOf } from './decimal.ts';

describe('exact decimals', () => {
  it('parses input decimals to scale 8', () => {
    expect(parseInputDecimal('42000.5')).toBe(4_200_050_000_000n);
    expect(parseInputDecimal('0.00000001')).toBe(1n);
    expect(parseInputDecimal('1')).toBe(100_000_000n);
    expect(parseInputDecimal('999999999999999.99999999')).toBe(99_999_999_999_999_999_999_999n);
  });

  it('refuses what is not a plain decimal of at most 15 + 8 digits', () => {
    for (const bad of [
      '',
      '-1',
      '+1',
      '1e5',
      '01.5',
      '.5',
      '5.',
      '1.123456789',
      '1234567890123456',
      ' 1',
      '1,5',
      'NaN',
    ]) {
      expect(parseInputDecimal(bad)).toBeNull();
    }
  });

  it('keeps sums and products exact where floats would not', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    const sum = parseInputDecimal('0.1')! + parseInputDecimal('0.2')!;
    expect(formatBase(sum)).toBe('0.30000000');
    // 0.1 × 3 at quote scale: exact 0.3.
    expect(formatQuote(quoteOf(parseInputDecimal('0.1')!, parseInputDecimal('3')!))).toBe('0.30000000');
    // A product that needs all 16 digits.
    expect(formatQuote(quoteOf(parseInputDecimal('0.00000001')!, parseInputDecimal('0.00000003')!))).toBe(
      '0.0000000000000003',
    );
  });

  it('formats base values with 8 decimals and quote values with 8 or more', () => {
    expect(formatBase(1_634_790n)).toBe('0.01634790');
    expect(formatQuote(12_345_600_000_000_000_000n)).toBe('1234.56000000');
    expect(formatQuote(12_345_612_345_678_900_000n)).toBe('1234.56123456789');
  });

  it('reads stored decimals back at their scale, padded or not', () => {
    expect(parseStoredDecimal('42000.50000000', 8)).toBe(4_200_050_000_000n);
    expect(parseStoredDecimal('42000.5', 8)).toBe(4_200_050_000_000n);
    expect(parseStoredDecimal('7', 16)).toBe(70_000_000_000_000_000n);
    expect(() => parseStoredDecimal('1.123456789', 8)).toThrow(/exceeds scale/);
    expect(() => parseStoredDecimal('abc', 8)).toThrow(/not a stored decimal/);
  });
});
