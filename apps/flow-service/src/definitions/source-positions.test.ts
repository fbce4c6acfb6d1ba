import { describe, expect, it } from 'vitest';
import { DefinitionError, type DefinitionIssue } from './definition-error.ts';
import { readYamlDefinition } from './source-positions.ts';

const SOURCE = `id: placed
steps:
  - id: fetch
    type: http
    input:
      url: "https://example.test/{{ steps.later.output }}"
      headers:
        a/b: x
  - id: later
    type: noop
`;

const at = (issue: DefinitionIssue) => [issue.line, issue.column];

describe('readYamlDefinition', () => {
  const { document, locate } = readYamlDefinition(SOURCE);

  it('reads the document', () => {
    expect(document).toMatchObject({ id: 'placed', steps: [{ id: 'fetch' }, { id: 'later' }] });
  });

  it('places a pointer at its value, one inside a step input too', () => {
    const [url, escaped, step] = locate([
      { path: '/steps/0/input/url', message: 'template reads step "later"' },
      { path: '/steps/0/input/headers/a~1b', message: 'bad header' },
      { path: '/steps/1', message: 'whole step' },
    ]);
    expect(url).toMatchObject({ path: '/steps/0/input/url', message: 'template reads step "later"' });
    expect(at(url as DefinitionIssue)).toEqual([6, 12]);
    expect(at(escaped as DefinitionIssue)).toEqual([8, 14]);
    expect(at(step as DefinitionIssue)).toEqual([9, 5]);
  });

  it('places an absent node at its nearest ancestor, an unknown property at its key', () => {
    const [missing, beyond, unknown, root] = locate([
      { path: '/steps/1/retry/max', message: 'absent' },
      { path: '/steps/7', message: 'no such step' },
      { path: '/steps/0/input', message: 'unknown property "headers"' },
      { path: '', message: 'must have required property x' },
    ]);
    expect(at(missing as DefinitionIssue)).toEqual([9, 5]);
    expect(at(beyond as DefinitionIssue)).toEqual([3, 3]);
    expect(at(unknown as DefinitionIssue)).toEqual([7, 7]);
    expect(at(root as DefinitionIssue)).toEqual([1, 1]);
  });

  const faults = (text: string) => {
    try {
      readYamlDefinition(text);
    } catch (error) {
      if (error instanceof DefinitionError) return error.issues;
      throw error;
    }
    throw new Error('accepted');
  };

  it('places syntax errors where the parser stopped', () => {
    const [issue] = faults('id: y\nsteps:\n  - id: a\n    type: [unclosed\n');
    expect(issue?.message).toMatch(/^not valid YAML \(line 5, column 1\): /);
    expect(at(issue as DefinitionIssue)).toEqual([5, 1]);
  });

  it('refuses a text that multiplies aliases', () => {
    const bomb = [
      'a: &a [x, x]',
      ...Array.from(
        { length: 12 },
        (_, i) => `b${i}: &b${i} [*${i ? `b${i - 1}` : 'a'}, *${i ? `b${i - 1}` : 'a'}]`,
      ),
    ].join('\n');
    expect(faults(bomb)[0]?.message).toMatch(/^not valid YAML: .*alias/i);
  });
});
