import { describe, expect, it } from 'vitest';
import { parseInputDecimal } from '../market/decimal.ts';
import { POSITIVE_DECIMAL } from './ingest.routes.ts';

// The OpenAPI document's price/qty pattern must admit exactly what ingest accepts.
describe('POSITIVE_DECIMAL', () => {
  const pattern = new RegExp(POSITIVE_DECIMAL);
  const accepted = (text: string) => {
    const value = parseInputDecimal(text);
    return value !== null && value > 0n;
  };

  it.each([
    '1',
    '42000.5',
    '0.015',
    '0.00000001',
    '0.10000000',
    '999999999999999.99999999',
    '0',
    '0.0',
    '0.00000000',
    '00.5',
    '01',
    '1.',
    '.5',
    '0.000000001',
    '1000000000000000',
    '1.123456789',
    '-1',
    '1e5',
    '',
  ])('%j: the pattern and the parser agree', (text) => {
    expect(pattern.test(text)).toBe(accepted(text));
  });

  it('agrees with the parser on random digit strings', () => {
    for (let i = 0; i < 5000; i += 1) {
      const digits = () => String(Math.floor(Math.random() * 10 ** Math.floor(Math.random() * 17)));
      const text = Math.random() < 0.5 ? digits() : `${digits()}.${'0'.repeat(i % 4)}${digits()}`;
      expect(pattern.test(text), text).toBe(accepted(text));
    }
  });
});
