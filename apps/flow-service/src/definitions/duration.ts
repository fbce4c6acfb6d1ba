// Durations in definitions: a number of milliseconds, or a string such as `500ms`, `10s`, `5m`, `2h`, `1d`.
// Strings read better in YAML; numbers are what the engine stores.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d)$';
const DURATION = new RegExp(DURATION_PATTERN);

/** Milliseconds of a duration already accepted by the definition schema. */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = match[1] as string;
  return Number(value.slice(0, -unit.length)) * (UNITS[unit] as number);
}
