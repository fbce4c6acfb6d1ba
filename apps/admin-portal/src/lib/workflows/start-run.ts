import { z } from 'zod';
import { STATES } from '../flow-api/types.ts';

// The "Start run" form, checked in the browser and again in the server action: the definition id as
// flow-service accepts it, the input as JSON (any JSON value; empty means none), an optional version and an
// optional Idempotency-Key (the same key returns the same run instead of starting a second one).

const DEFINITION_ID = /^[a-z0-9][a-z0-9_-]*$/;
/** flow-service's own limits (runs.routes.ts): the header is 1–255 characters. */
const MAX_KEY = 255;
/** A generous bound for a form field; larger inputs belong in the API. */
const MAX_INPUT = 64 * 1024;

export interface StartRunRequest {
  definition: string;
  version?: number;
  input: unknown;
  idempotencyKey?: string;
}

export type StartRunParse =
  | { ok: true; value: StartRunRequest }
  | { ok: false; errors: Record<string, string> };

export function parseStartRun(fields: {
  definition?: unknown;
  version?: unknown;
  input?: unknown;
  idempotencyKey?: unknown;
}): StartRunParse {
  const errors: Record<string, string> = {};
  const definition = typeof fields.definition === 'string' ? fields.definition.trim() : '';
  if (!DEFINITION_ID.test(definition) || definition.length > 100) errors.definition = 'Not a definition id.';

  let version: number | undefined;
  const rawVersion = typeof fields.version === 'string' ? fields.version.trim() : '';
  if (rawVersion) {
    const parsed = Number(rawVersion);
    if (!Number.isInteger(parsed) || parsed < 1) errors.version = 'A version is a whole number from 1.';
    else version = parsed;
  }

  let input: unknown = null;
  const text = typeof fields.input === 'string' ? fields.input.trim() : '';
  if (text.length > MAX_INPUT) errors.input = `At most ${MAX_INPUT / 1024} KiB of JSON.`;
  else if (text) {
    try {
      input = JSON.parse(text);
    } catch (error) {
      errors.input = `Not valid JSON: ${(error as Error).message}`;
    }
  }

  const key = typeof fields.idempotencyKey === 'string' ? fields.idempotencyKey.trim() : '';
  if (key.length > MAX_KEY) errors.idempotencyKey = `At most ${MAX_KEY} characters.`;
  // Header values must be visible ASCII (RFC 9110 field-value): nothing a fetch would refuse.
  else if (key && !/^[\x21-\x7e]+$/.test(key))
    errors.idempotencyKey = 'Letters, digits and punctuation only, no spaces.';

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: { definition, input, ...(version ? { version } : {}), ...(key ? { idempotencyKey: key } : {}) },
  };
}

/** The runs list's filters from the query string; anything invalid is dropped (and reported). */
export const runsFilterSchema = z.object({
  state: z
    .enum(STATES)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  definition: z
    .string()
    .regex(DEFINITION_ID, 'Not a definition id.')
    .max(100)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  cursor: z.string().max(200).optional(),
});
