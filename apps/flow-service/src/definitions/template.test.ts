import { describe, expect, it } from 'vitest';
import { render, type TemplateContext } from './template.ts';

const context: TemplateContext = {
  input: { name: 'Ada', items: [{ sku: 'A1' }], n: 3 },
  run: { id: 'run-1', definition: 'd', version: 2 },
  steps: { fetch: { output: { status: 200, body: { id: 42, tags: ['x'] } } } },
};

describe('templates', () => {
  it('yields the referenced value when the string is one template', () => {
    expect(render('{{ steps.fetch.output.body }}', context)).toEqual({ id: 42, tags: ['x'] });
    expect(render('{{input.n}}', context)).toBe(3);
    expect(render('{{ input.items[0].sku }}', context)).toBe('A1');
  });
  it('interpolates inside longer strings, objects as JSON, missing values as empty', () => {
    expect(render('hi {{ input.name }} #{{ steps.fetch.output.body.id }} {{ run.id }}', context)).toBe(
      'hi Ada #42 run-1',
    );
    expect(render('tags={{ steps.fetch.output.body.tags }}', context)).toBe('tags=["x"]');
    expect(render('[{{ input.nothing.deeper }}]', context)).toBe('[]');
  });
  it('renders nested structures and leaves non-strings alone', () => {
    expect(render({ a: ['{{ input.n }}', 1, null, true], b: { c: 'v{{ run.version }}' } }, context)).toEqual({
      a: [3, 1, null, true],
      b: { c: 'v2' },
    });
  });
});
