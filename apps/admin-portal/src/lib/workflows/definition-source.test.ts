import { describe, expect, it } from 'vitest';
import { describeFault, documentSteps, faultMarks, newDefinitionSource } from './definition-source.ts';

const TEXT = 'id: a\nsteps:\n  - id: x\n    dependsOn: [missing]\n';

describe('faultMarks', () => {
  it('marks from the fault column to the end of its line', () => {
    const [mark] = faultMarks(TEXT, [
      { path: '/steps/0/dependsOn/0', message: 'unknown step', line: 4, column: 17 },
    ]);
    expect(TEXT.slice(mark?.from, mark?.to)).toBe('missing]');
    expect(mark).toMatchObject({ severity: 'error', message: '/steps/0/dependsOn/0: unknown step' });
  });

  it('marks the first line for a fault without one, and clamps positions past the text', () => {
    const [whole, beyond, wide] = faultMarks(TEXT, [
      { path: '', message: 'must be object' },
      { path: '/x', message: 'far', line: 99, column: 3 },
      { path: '/y', message: 'wide', line: 1, column: 80 },
    ]);
    expect(TEXT.slice(whole?.from, whole?.to)).toBe('id: a');
    expect(beyond).toMatchObject({ from: TEXT.length, to: TEXT.length });
    expect(wide).toMatchObject({ from: 5, to: 5 });
  });
});

describe('describeFault', () => {
  it('says where, what and which pointer', () => {
    expect(describeFault({ path: '/steps/1', message: 'bad', line: 3, column: 5 })).toBe(
      'Line 3, column 5: bad (/steps/1)',
    );
    expect(describeFault({ path: '', message: 'not an object' })).toBe('Document: not an object');
  });
});

describe('documentSteps', () => {
  it('reads steps and their dependencies, skipping what is not a step', () => {
    expect(
      documentSteps({
        steps: [{ id: 'a', type: 'noop' }, { id: 'b', type: 'noop', dependsOn: ['a', 3] }, 'x'],
      }),
    ).toEqual([
      { id: 'a', type: 'noop', depends_on: [] },
      { id: 'b', type: 'noop', dependsOn: ['a', 3], depends_on: ['a'] },
    ]);
    expect(documentSteps(null)).toEqual([]);
  });

  it('starts a new definition from a template with its id', () => {
    expect(newDefinitionSource('nightly')).toMatch(/^id: nightly\n/);
  });
});
