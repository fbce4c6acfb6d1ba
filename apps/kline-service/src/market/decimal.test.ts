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

  it('accepts exactly the texts the input rule accepts, with the value the rule gives', () => {
    // The rule as a regular expression, and the value as BigInt of the digits: the parser must agree on
    // every text, valid or not, including the edges (15 integer digits, 8 fractional, around 2^53).
    const rule = /^(0|[1-9]\d{0,14})(?:\.(\d{1,8}))?$/;
    const oracle = (text: string) => {
      const match = rule.exec(text);
      return match ? BigInt(match[1]! + (match[2] ?? '').padEnd(8, '0')) : null;
    };
    const alphabet = '0123456789.-+e ,x';
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const texts = [
      '0',
      '0.0',
      '0.00000000',
      '90071991.99999999',
      '90071992.00000001',
      '90071993',
      '999999999999999',
      '999999999999999.99999999',
      '100000000000000.00000001',
      '1234567890123456',
      '1.123456789',
      '00',
      '0.',
    ];
    for (let n = 0; n < 20_000; n += 1) {
      const length = 1 + Math.floor(random() * 26);
      let text = '';
      // Mostly digits with at most one dot, so that many texts are valid; sometimes anything.
      const anything = random() < 0.2;
      for (let i = 0; i < length; i += 1)
        text += anything
          ? alphabet[Math.floor(random() * alphabet.length)]
          : random() < 0.08
            ? '.'
            : String(Math.floor(random() * 10));
      texts.push(text);
    }
    let valid = 0;
    for (const text of texts) {
      const expected = oracle(text);
      if (expected !== null) valid += 1;
      expect([text, parseInputDecimal(text)]).toEqual([text, expected]);
    }
    expect(valid).toBeGreaterThan(1000);
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
