// Boundaries checked against hand-computed UTC instants (written as ISO strings, not derived by code).
import { describe, expect, it } from 'vitest';
import { closeTimeOf, INTERVALS, isInterval, nextOpenTime, openTimeOf } from './intervals.ts';

const ms = (iso: string) => Date.parse(iso);
const iso = (time: number) => new Date(time).toISOString();

describe('interval boundaries', () => {
  it('lists the 16 Binance intervals', () => {
    expect(INTERVALS).toEqual([
      '1s',
      '1m',
      '3m',
      '5m',
      '15m',
      '30m',
      '1h',
      '2h',
      '4h',
      '6h',
      '8h',
      '12h',
      '1d',
      '3d',
      '1w',
      '1M',
    ]);
    expect(isInterval('1M')).toBe(true);
    expect(isInterval('1mo')).toBe(false);
    expect(isInterval('2m')).toBe(false);
  });

  // 2024-02-29 (leap day, a Thursday) 13:47:31.250 UTC, in every interval: [open, close].
  const t = ms('2024-02-29T13:47:31.250Z');
  const expected: Record<string, [string, string]> = {
    '1s': ['2024-02-29T13:47:31.000Z', '2024-02-29T13:47:31.999Z'],
    '1m': ['2024-02-29T13:47:00.000Z', '2024-02-29T13:47:59.999Z'],
    '3m': ['2024-02-29T13:45:00.000Z', '2024-02-29T13:47:59.999Z'],
    '5m': ['2024-02-29T13:45:00.000Z', '2024-02-29T13:49:59.999Z'],
    '15m': ['2024-02-29T13:45:00.000Z', '2024-02-29T13:59:59.999Z'],
    '30m': ['2024-02-29T13:30:00.000Z', '2024-02-29T13:59:59.999Z'],
    '1h': ['2024-02-29T13:00:00.000Z', '2024-02-29T13:59:59.999Z'],
    '2h': ['2024-02-29T12:00:00.000Z', '2024-02-29T13:59:59.999Z'],
    '4h': ['2024-02-29T12:00:00.000Z', '2024-02-29T15:59:59.999Z'],
    '6h': ['2024-02-29T12:00:00.000Z', '2024-02-29T17:59:59.999Z'],
    '8h': ['2024-02-29T08:00:00.000Z', '2024-02-29T15:59:59.999Z'],
    '12h': ['2024-02-29T12:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    '1d': ['2024-02-29T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    // Day 19782 since the epoch is a multiple of 3: a 3d candle opens that day.
    '3d': ['2024-02-29T00:00:00.000Z', '2024-03-02T23:59:59.999Z'],
    // Monday 26 February to Sunday 3 March.
    '1w': ['2024-02-26T00:00:00.000Z', '2024-03-03T23:59:59.999Z'],
    // February of a leap year has 29 days.
    '1M': ['2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
  };
  for (const interval of INTERVALS) {
    it(`${interval}: open and close around a mid-interval instant`, () => {
      const open = openTimeOf(interval, t);
      expect([iso(open), iso(closeTimeOf(interval, open))]).toEqual(expected[interval]);
    });
  }

  it('the last millisecond belongs to the closing candle, the next one opens a new candle', () => {
    for (const interval of INTERVALS) {
      const open = openTimeOf(interval, t);
      const close = closeTimeOf(interval, open);
      expect(openTimeOf(interval, close)).toBe(open);
      expect(openTimeOf(interval, close + 1)).toBe(close + 1);
      expect(nextOpenTime(interval, open)).toBe(close + 1);
    }
  });

  it('weeks start on Monday 00:00 UTC, whatever the local time zone', () => {
    // Sunday 2024-03-03 23:59:59.999 is in the week of 26 February; Monday 4 March opens the next.
    expect(iso(openTimeOf('1w', ms('2024-03-03T23:59:59.999Z')))).toBe('2024-02-26T00:00:00.000Z');
    expect(iso(openTimeOf('1w', ms('2024-03-04T00:00:00.000Z')))).toBe('2024-03-04T00:00:00.000Z');
    // A week that spans a year end: Monday 30 December 2024.
    expect(iso(openTimeOf('1w', ms('2025-01-01T12:00:00Z')))).toBe('2024-12-30T00:00:00.000Z');
  });

  it('months are calendar months of 28, 29, 30 and 31 days, across the year end', () => {
    const cases: Array<[string, string, string]> = [
      ['2023-02-15T00:00:00Z', '2023-02-01T00:00:00.000Z', '2023-02-28T23:59:59.999Z'],
      ['2024-04-30T23:59:59.999Z', '2024-04-01T00:00:00.000Z', '2024-04-30T23:59:59.999Z'],
      ['2024-12-31T23:59:59.999Z', '2024-12-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
      ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-31T23:59:59.999Z'],
    ];
    for (const [at, open, close] of cases) {
      const o = openTimeOf('1M', ms(at));
      expect([iso(o), iso(closeTimeOf('1M', o))]).toEqual([open, close]);
    }
  });

  it('days end at midnight UTC', () => {
    expect(iso(openTimeOf('1d', ms('2024-03-10T23:59:59.999Z')))).toBe('2024-03-10T00:00:00.000Z');
    expect(iso(openTimeOf('1d', ms('2024-03-11T00:00:00.000Z')))).toBe('2024-03-11T00:00:00.000Z');
  });
});
