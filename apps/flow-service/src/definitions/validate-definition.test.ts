import { describe, expect, it } from 'vitest';
import { backoffDelay, NO_RETRY } from './definition.ts';
import { compileDefinition, DefinitionError, parseDefinitionSource } from './validate-definition.ts';

function issues(document: unknown) {
  try {
    compileDefinition(document);
  } catch (error) {
    if (error instanceof DefinitionError) return error.issues;
    throw error;
  }
  throw new Error('the definition was accepted');
}

describe('definition validation', () => {
  it('compiles a valid definition with defaults, durations and the derived graph', () => {
    const definition = compileDefinition({
      id: 'ok',
      deadline: '1h',
      concurrency: 3,
      defaults: { retry: { max: 2, backoff: 'exponential', initial: '1s' }, timeout: '30s' },
      steps: [
        { id: 'a', type: 'noop' },
        {
          id: 'b',
          type: 'http',
          dependsOn: ['a'],
          timeout: 500,
          input: { url: 'http://x/{{ steps.a.output.id }}' },
        },
        { id: 'c', type: 'delay', dependsOn: ['a'], input: { duration: '2m' } },
      ],
    });
    expect(definition.deadlineMs).toBe(3_600_000);
    expect(definition.concurrency).toBe(3);
    expect(definition.byId.get('a')?.retry).toEqual({
      max: 2,
      backoff: 'exponential',
      initialMs: 1000,
      maxDelayMs: 60_000,
      jitter: 0,
    });
    expect(definition.byId.get('a')?.timeoutMs).toBe(30_000);
    expect(definition.byId.get('b')?.timeoutMs).toBe(500);
    expect(definition.dependents.get('a')).toEqual(['b', 'c']);
    expect(definition.sinks).toEqual(['b', 'c']);
  });

  it('reports an unknown dependency at its path', () => {
    expect(
      issues({
        id: 'x',
        steps: [
          { id: 'a', type: 'noop' },
          { id: 'b', type: 'noop', dependsOn: ['a', 'nope'] },
        ],
      }),
    ).toEqual([{ path: '/steps/1/dependsOn/1', message: 'unknown step "nope"' }]);
  });

  it('reports self-dependencies, duplicates and cycles', () => {
    expect(issues({ id: 'x', steps: [{ id: 'a', type: 'noop', dependsOn: ['a'] }] })).toEqual([
      { path: '/steps/0/dependsOn/0', message: 'step "a" depends on itself' },
    ]);
    expect(
      issues({
        id: 'x',
        steps: [
          { id: 'a', type: 'noop' },
          { id: 'a', type: 'noop' },
        ],
      })[0]?.path,
    ).toBe('/steps/1/id');
    expect(
      issues({
        id: 'x',
        steps: [
          { id: 'start', type: 'noop' },
          { id: 'p', type: 'noop', dependsOn: ['start', 'q'] },
          { id: 'q', type: 'noop', dependsOn: ['p'] },
        ],
      }),
    ).toEqual([{ path: '/steps/1/dependsOn/1', message: 'cycle: p -> q -> p' }]);
  });

  it('rejects bad templates: syntax, unknown roots, unknown and non-upstream steps', () => {
    const base = (input: unknown, dependsOn: string[] = []) => ({
      id: 'x',
      steps: [
        { id: 'a', type: 'noop' },
        { id: 'side', type: 'noop' },
        { id: 'b', type: 'noop', dependsOn, input },
      ],
    });
    expect(issues(base({ v: 'hello {{ input.name' }))).toEqual([
      { path: '/steps/2/input/v', message: expect.stringMatching(/bad template: .*unterminated/) },
    ]);
    expect(issues(base({ deep: ['ok', { v: '{{ secrets.key }}' }] }))[0]).toEqual({
      path: '/steps/2/input/deep/1/v',
      message: expect.stringMatching(/starts with "secrets"/),
    });
    expect(issues(base({ v: '{{ steps.ghost.output }}' }))[0]).toEqual({
      path: '/steps/2/input/v',
      message: 'template reads unknown step "ghost"',
    });
    expect(issues(base({ v: '{{ steps.side.output.x }}' }, ['a']))[0]?.message).toMatch(
      /not upstream of this step/,
    );
    expect(issues(base({ v: '{{ steps.a.result }}' }, ['a']))[0]?.message).toMatch(/steps.<id>.output/);
    expect(issues(base({ v: '{{ input..x }}' }))[0]?.message).toMatch(/invalid path segment/);
    // Transitive upstream steps may be read.
    expect(() =>
      compileDefinition({
        id: 'x',
        steps: [
          { id: 'a', type: 'noop' },
          { id: 'b', type: 'noop', dependsOn: ['a'] },
          { id: 'c', type: 'noop', dependsOn: ['b'], input: { v: '{{ steps.a.output.list[0] }}' } },
        ],
      }),
    ).not.toThrow();
  });

  it('reports schema violations with their paths: types, unknown properties, per-type inputs', () => {
    const found = issues({
      id: 'Bad Id',
      extra: true,
      steps: [
        { id: 'a', type: 'teleport' },
        { id: 'b', type: 'http', input: { method: 'GET' } },
        { id: 'c', type: 'noop', retry: { max: -1, backoff: 'linear' }, timeout: '5 minutes' },
        { id: 'd', type: 'noop', onTimeout: 'approve' },
      ],
    });
    const paths = found.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '',
        '/id',
        '/steps/0/type',
        '/steps/1/input',
        '/steps/2/retry/max',
        '/steps/2/retry/backoff',
        '/steps/2/timeout',
        '/steps/3',
      ]),
    );
    expect(found.find((issue) => issue.path === '')?.message).toBe('unknown property "extra"');
    expect(found.find((issue) => issue.path === '/steps/1/input')?.message).toMatch(/url/);
    expect(issues({ id: 'x', steps: [] })[0]).toEqual({
      path: '/steps',
      message: expect.stringMatching(/fewer than 1/),
    });
    expect(issues('just a string')[0]).toEqual({ path: '', message: 'must be object' });
  });

  it('reads YAML, and reports YAML syntax errors with the line', () => {
    const document = parseDefinitionSource(
      'id: y\nsteps:\n  - id: a\n    type: noop\n    input: { who: "{{ input.who }}" }\n',
    );
    expect(compileDefinition(document).steps[0]?.input).toEqual({ who: '{{ input.who }}' });
    try {
      parseDefinitionSource('id: y\nsteps:\n  - id: a\n   type: [unclosed\n');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionError);
      expect((error as DefinitionError).issues[0]?.message).toMatch(
        /not valid YAML \(line \d+, column \d+\)/,
      );
    }
  });
});

describe('backoff', () => {
  const policy = { ...NO_RETRY, max: 5, initialMs: 100, maxDelayMs: 1000 };
  it('is fixed or doubling, capped at maxDelay', () => {
    expect([1, 2, 3].map((n) => backoffDelay(policy, n))).toEqual([100, 100, 100]);
    const exponential = { ...policy, backoff: 'exponential' as const };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(exponential, n))).toEqual([100, 200, 400, 800, 1000]);
  });
  it('applies jitter either way within the fraction', () => {
    const jittered = { ...policy, backoff: 'exponential' as const, jitter: 0.5 };
    expect(backoffDelay(jittered, 2, () => 0)).toBe(100);
    expect(backoffDelay(jittered, 2, () => 1)).toBe(300);
    expect(backoffDelay(jittered, 2, () => 0.5)).toBe(200);
  });
});
