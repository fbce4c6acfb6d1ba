import { describe, expect, it } from 'vitest';
import { contrastRatio, STATE_BADGE_COLORS, STATE_BADGE_TEXT } from './states.ts';

describe('state badge colours', () => {
  it('measures contrast as WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    // Mantine's green.6, the colour of a default filled green badge.
    expect(contrastRatio('#40c057', '#ffffff')).toBeCloseTo(2.36, 2);
  });

  it('gives every state at least 4.5:1 against the badge text', () => {
    for (const [state, color] of Object.entries(STATE_BADGE_COLORS))
      expect(contrastRatio(color, STATE_BADGE_TEXT), state).toBeGreaterThanOrEqual(4.5);
  });
});
