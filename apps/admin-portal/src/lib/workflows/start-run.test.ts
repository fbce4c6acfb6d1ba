import { describe, expect, it } from 'vitest';
import { parseStartRun, runsFilterSchema } from './start-run.ts';

describe('start run form', () => {
  it('accepts a definition with JSON input, a version and an idempotency key', () => {
    expect(
      parseStartRun({
        definition: 'approval-demo',
        input: ' {"change": 42} ',
        version: '2',
        idempotencyKey: 'k-1',
      }),
    ).toEqual({
      ok: true,
      value: { definition: 'approval-demo', input: { change: 42 }, version: 2, idempotencyKey: 'k-1' },
    });
  });

  it('treats empty input as none and leaves out empty optional fields', () => {
    expect(parseStartRun({ definition: 'hello', input: '  ', version: '', idempotencyKey: '' })).toEqual({
      ok: true,
      value: { definition: 'hello', input: null },
    });
    expect(parseStartRun({ definition: 'x', input: '[1,"a"]' })).toMatchObject({
      ok: true,
      value: { input: [1, 'a'] },
    });
  });

  it('names each bad field', () => {
    const result = parseStartRun({
      definition: 'Bad Id',
      input: '{"a":',
      version: '0',
      idempotencyKey: 'has space',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['definition', 'idempotencyKey', 'input', 'version']);
    expect(result.errors.input).toMatch(/^Not valid JSON/);
    expect(parseStartRun({ definition: 'a', idempotencyKey: 'k'.repeat(256) })).toMatchObject({
      ok: false,
      errors: { idempotencyKey: 'At most 255 characters.' },
    });
    expect(parseStartRun({ definition: 'a', version: '1.5' })).toMatchObject({ ok: false });
    expect(parseStartRun({ definition: 'a', input: `"${'x'.repeat(70_000)}"` })).toMatchObject({ ok: false });
    expect(parseStartRun({})).toMatchObject({ ok: false, errors: { definition: 'Not a definition id.' } });
  });
});

describe('runs filter', () => {
  it('keeps known states and definition ids, and refuses others', () => {
    expect(runsFilterSchema.parse({ state: 'waiting', definition: 'approval-demo' })).toEqual({
      state: 'waiting',
      definition: 'approval-demo',
    });
    expect(runsFilterSchema.parse({ state: '', definition: '' })).toEqual({
      state: undefined,
      definition: undefined,
    });
    expect(runsFilterSchema.safeParse({ state: 'paused' }).success).toBe(false);
    expect(runsFilterSchema.safeParse({ definition: '../x' }).success).toBe(false);
  });
});
