// Step inputs are JSON with `{{ expression }}` templates in their strings. An expression is a path into the
// run's context: `input.<...>`, `run.id`, `run.definition`, or `steps.<id>.output.<...>`, with `.name` and
// `[index]` segments. No functions or operators: a definition is data, so it can be checked completely
// before it is stored (every reference resolved against the DAG) and rendered without evaluating code.
// A string that is exactly one template yields the referenced value itself (object, number...); a template
// inside a longer string is interpolated (objects as JSON).

export interface TemplateContext {
  input: unknown;
  run: { id: string; definition: string; version: number };
  steps: Record<string, { output: unknown }>;
}

export interface Reference {
  /** `input`, `run` or `steps` */
  root: 'input' | 'run' | 'steps';
  /** For `steps.<id>.output`: the step id. */
  step?: string;
  segments: Array<string | number>;
}

const TEMPLATE = /\{\{(.*?)\}\}/g;
const WHOLE = /^\{\{(.*?)\}\}$/;
const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\])/;
const ROOT = /^([A-Za-z_$][\w$-]*)/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Parses one expression; throws TemplateError saying what is wrong with it. */
export function parseExpression(source: string): Reference {
  const text = source.trim();
  const root = ROOT.exec(text);
  if (!root)
    throw new TemplateError(
      `"{{${source}}}" is not a path (expected input..., run... or steps.<id>.output...)`,
    );
  let rest = text.slice(root[0].length);
  const segments: Array<string | number> = [];
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) throw new TemplateError(`"{{${source}}}" has an invalid path segment at "${rest}"`);
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  const name = root[1];
  if (name === 'input') return { root: 'input', segments };
  if (name === 'run') {
    const field = segments[0];
    if (segments.length !== 1 || !['id', 'definition', 'version'].includes(String(field)))
      throw new TemplateError(`"{{${source}}}": run has only id, definition and version`);
    return { root: 'run', segments };
  }
  if (name === 'steps') {
    const [step, output, ...more] = segments;
    if (typeof step !== 'string' || output !== 'output')
      throw new TemplateError(`"{{${source}}}": step references read steps.<id>.output`);
    return { root: 'steps', step, segments: more };
  }
  throw new TemplateError(
    `"{{${source}}}" starts with "${name}"; expressions start with input, run or steps`,
  );
}

/** Every template in a string, parsed; throws on an unterminated `{{` or a bad expression. */
export function stringReferences(value: string): Reference[] {
  const references: Reference[] = [];
  for (const match of value.matchAll(TEMPLATE)) references.push(parseExpression(match[1] as string));
  const stripped = value.replace(TEMPLATE, '');
  if (stripped.includes('{{')) throw new TemplateError(`"${value}" has an unterminated "{{"`);
  return references;
}

export interface LocatedReference extends Reference {
  /** JSON Pointer (relative) of the string holding it. */
  pointer: string;
}

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Walks a JSON value and returns every template reference with where it was found. */
export function collectReferences(value: unknown, pointer = ''): LocatedReference[] {
  if (typeof value === 'string') {
    try {
      return stringReferences(value).map((ref) => ({ ...ref, pointer }));
    } catch (error) {
      throw Object.assign(error as Error, { pointer });
    }
  }
  if (Array.isArray(value))
    return value.flatMap((item, index) => collectReferences(item, `${pointer}/${index}`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) =>
      collectReferences(item, `${pointer}/${escapePointer(key)}`),
    );
  return [];
}

function resolve(reference: Reference, context: TemplateContext): unknown {
  let current: unknown;
  if (reference.root === 'input') current = context.input;
  else if (reference.root === 'run') current = context.run;
  else current = context.steps[reference.step as string]?.output;
  for (const segment of reference.segments) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

const asText = (value: unknown) =>
  value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);

/** Renders every template in a JSON value against the run context. */
export function render(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !(whole[1] as string).includes('{{'))
      return resolve(parseExpression(whole[1] as string), context);
    return value.replace(TEMPLATE, (_match, expression: string) =>
      asText(resolve(parseExpression(expression), context)),
    );
  }
  if (Array.isArray(value)) return value.map((item) => render(item, context));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = render(item, context);
    return out;
  }
  return value;
}
