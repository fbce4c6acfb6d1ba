import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler';

/**
 * Fastify's validator factory with type coercion kept for the text parts of a request (query string, path
 * params, headers: `?limit=20` must validate as an integer) and turned off for the body. A JSON body already
 * carries types; coercing it would let `{"name": true}` pass as the string "true" where the schema (and
 * the OpenAPI document built from it) promises a 400.
 */
export function strictBodyValidator(): ValidatorFactory {
  const pool = AjvCompiler();
  return (externalSchemas, options = {}) => {
    const coercing = pool(externalSchemas, options);
    const strict = pool(externalSchemas, {
      ...options,
      customOptions: { ...options.customOptions, coerceTypes: false },
    } as typeof options);
    return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
  };
}
