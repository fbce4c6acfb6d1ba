import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler';

type Validate = ReturnType<ReturnType<ValidatorFactory>>;
type Issue = { instancePath: string; keyword: string; message: string; params: object; schemaPath: string };

/** The JSON pointer of the first number in `value` that is not finite, or undefined when there is none. */
function nonFiniteNumberAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path || '/';
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFiniteNumberAt(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Ajv coerces `Infinity`, `-Infinity` and `1e400` in a query string to the number Infinity, which its
 * `integer`, `minimum` and `maximum` checks let through; the route would then get a limit of Infinity. JSON
 * has no such number, so a coerced one is refused as the schema's own issues are.
 */
function refuseNonFinite(validate: Validate): Validate {
  const checked = ((data: unknown) => {
    const valid = (validate as (data: unknown) => unknown)(data);
    checked.errors = (validate as { errors?: Issue[] | null }).errors ?? null;
    if (valid !== true) return valid;
    const at = nonFiniteNumberAt(data);
    if (at === undefined) return true;
    checked.errors = [
      { instancePath: at, keyword: 'type', message: 'must be a finite number', params: {}, schemaPath: '#' },
    ];
    return false;
  }) as ((data: unknown) => unknown) & { errors: Issue[] | null };
  checked.errors = null;
  return checked as unknown as Validate;
}

/**
 * Fastify's validator factory with type coercion kept for the text parts of a request (query string, path
 * params, headers: `?limit=20` must validate as an integer) and turned off for the body. A JSON body already
 * carries types; coercing it would let `{"name": true}` pass as the string "true" where the schema (and
 * the OpenAPI document built from it) promises a 400. A coerced number must be finite.
 */
export function strictBodyValidator(): ValidatorFactory {
  const pool = AjvCompiler();
  return (externalSchemas, options = {}) => {
    const coercing = pool(externalSchemas, options);
    const strict = pool(externalSchemas, {
      ...options,
      customOptions: { ...options.customOptions, coerceTypes: false },
    } as typeof options);
    return (route) => (route.httpPart === 'body' ? strict(route) : refuseNonFinite(coercing(route)));
  };
}
