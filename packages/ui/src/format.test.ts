import { describe, expect, it } from 'vitest';
import { duration, when } from './format.ts';

describe('duration', () => {
  it('reads in the unit a person would say', () => {
    expect(duration(0)).toBe('0 ms');
    expect(duration(2)).toBe('2 ms');
    expect(duration(999)).toBe('999 ms');
    expect(duration(2000)).toBe('2 s');
    expect(duration(2012)).toBe('2 s');
    expect(duration(2350)).toBe('2.4 s');
    expect(duration(59_940)).toBe('59.9 s');
    expect(duration(59_990)).toBe('1 min');
    expect(duration(65_000)).toBe('1 min 5 s');
    expect(duration(119_700)).toBe('2 min');
    expect(duration(3_599_900)).toBe('1 h');
    expect(duration(3_600_000)).toBe('1 h');
    expect(duration(3_725_000)).toBe('1 h 2 min');
  });

  it('shows a dash for what is not a duration', () => {
    expect(duration(null)).toBe('—');
    expect(duration(undefined)).toBe('—');
    expect(duration(-5)).toBe('—');
    expect(duration(Number.NaN)).toBe('—');
  });
});

describe('when', () => {
  it('prints UTC to the minute', () => {
    expect(when('2026-12-07T01:02:03.456Z')).toBe('2026-12-07 01:02 UTC');
    expect(when(null)).toBe('—');
  });
});
