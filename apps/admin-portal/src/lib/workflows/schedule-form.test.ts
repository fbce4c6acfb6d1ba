import { describe, expect, it } from 'vitest';
import { parseScheduleForm, scheduleFieldErrors } from './schedule-form.ts';

describe('parseScheduleForm', () => {
  it('accepts a pattern, a zone (UTC when empty) and a JSON object input', () => {
    expect(
      parseScheduleForm({ cron: ' 0 9 * * * ', timezone: '', input: '{"a":1}', enabled: false }),
    ).toEqual({
      ok: true,
      value: { cron: '0 9 * * *', timezone: 'UTC', input: { a: 1 }, enabled: false },
    });
    expect(parseScheduleForm({ cron: '* * * * *', timezone: 'UTC', input: '', enabled: true })).toMatchObject(
      {
        ok: true,
        value: { input: {} },
      },
    );
  });

  it('names each field that needs attention', () => {
    const parsed = parseScheduleForm({ cron: '', timezone: 'x'.repeat(65), input: '[1]', enabled: true });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && Object.keys(parsed.errors).sort()).toEqual(['cron', 'input', 'timezone']);
    const broken = parseScheduleForm({ cron: '* * * * *', timezone: 'UTC', input: '{', enabled: true });
    expect(!broken.ok && broken.errors.input).toMatch(/^Not valid JSON/);
  });
});

describe('scheduleFieldErrors', () => {
  it("maps flow-service's pointers to the form's fields", () => {
    expect(scheduleFieldErrors({ '/cron': 'invalid', '/': 'whole' })).toEqual({
      cron: 'invalid',
      form: 'whole',
    });
    expect(scheduleFieldErrors()).toEqual({});
  });
});
