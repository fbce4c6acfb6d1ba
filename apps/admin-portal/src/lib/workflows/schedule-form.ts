// The schedule form, checked in the browser and again in the server action. flow-service checks the cron
// pattern and time zone themselves (cron.ts) and answers a field error for either.

export interface ScheduleFields {
  cron: string;
  timezone: string;
  input: string;
  enabled: boolean;
}

export type ScheduleParse =
  | { ok: true; value: { cron: string; timezone: string; input: Record<string, unknown>; enabled: boolean } }
  | { ok: false; errors: Record<string, string> };

const MAX_INPUT = 64 * 1024;

export function parseScheduleForm(fields: ScheduleFields): ScheduleParse {
  const errors: Record<string, string> = {};
  const cron = fields.cron.trim();
  if (!cron) errors.cron = 'A cron pattern, e.g. "0 9 * * 1-5" (minute hour day month weekday).';
  else if (cron.length > 120) errors.cron = 'At most 120 characters.';
  const timezone = fields.timezone.trim() || 'UTC';
  if (timezone.length > 64) errors.timezone = 'At most 64 characters.';
  let input: Record<string, unknown> = {};
  const text = fields.input.trim();
  if (text.length > MAX_INPUT) errors.input = `At most ${MAX_INPUT / 1024} KiB of JSON.`;
  else if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        errors.input = 'The input is a JSON object, e.g. {"region": "eu"}.';
      else input = parsed as Record<string, unknown>;
    } catch (error) {
      errors.input = `Not valid JSON: ${(error as Error).message}`;
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { cron, timezone, input, enabled: fields.enabled } };
}

/** flow-service's field errors by pointer (`/cron`) as the form's fields (`cron`). */
export function scheduleFieldErrors(pointerErrors: Record<string, string> = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [pointer, message] of Object.entries(pointerErrors))
    errors[pointer.split('/').filter(Boolean)[0] ?? 'form'] ??= message;
  return errors;
}
