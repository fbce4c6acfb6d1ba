import { describe, expect, it } from 'vitest';
import { STATES } from '../flow-api/types.ts';
import { STATE_STYLES, stateStyle } from './state-style.ts';

describe('state colours', () => {
  it('gives each of the seven states its own colour and label', () => {
    expect(Object.keys(STATE_STYLES).sort()).toEqual([...STATES].sort());
    const strokes = new Set(STATES.map((s) => STATE_STYLES[s].stroke));
    const badges = new Set(STATES.map((s) => STATE_STYLES[s].badge));
    expect(strokes.size).toBe(7);
    expect(badges.size).toBe(7);
    expect(stateStyle('timed_out').label).toBe('Timed out');
  });

  it('marks the active states with a dashed outline only', () => {
    expect(STATES.filter((s) => STATE_STYLES[s].dashed)).toEqual(['running', 'waiting']);
  });

  it('draws an unknown state as pending', () => {
    expect(stateStyle('paused')).toBe(STATE_STYLES.pending);
  });
});
