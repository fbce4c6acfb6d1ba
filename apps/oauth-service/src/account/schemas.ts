import { problemResponses } from '@platform/http';
import type { FastifySchema } from 'fastify';
import { ACCOUNT_SCOPE } from './account-scope.ts';

// JSON schemas shared by the account routes. Field names are camelCase (the account console's contract);
// timestamps are ISO 8601 strings. Response schemas also decide what leaves the service: Fastify's
// serializer writes only the properties they list.

export const time = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;

/** An id in a path or query: any non-empty string; ids that do not exist (for this user) are a 404. */
export const id = { type: 'string', minLength: 1, maxLength: 255 } as const;

export const noContent = { 204: { type: 'null', description: 'Done; no body.' } } as const;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);

type RouteSchemaInput = FastifySchema & { response?: Record<number, unknown> };

/** A route schema as accountRoute returns it: the input's own types kept, so handlers are typed from it. */
export type AccountRouteSchema<S extends RouteSchemaInput> = S & {
  tags: string[];
  summary: string;
  security: Array<{ bearer: string[] }>;
};

/**
 * A route's OpenAPI schema: tag, summary, the bearer requirement of the `account` scope, and the problem
 * responses it can give (401 and 403 always, 400 whenever it validates input; pass the others).
 */
export function accountRoute<const S extends RouteSchemaInput>(
  tag: string,
  summary: string,
  schema: S,
  errors: number[] = [],
): AccountRouteSchema<S> {
  const validates = Boolean(schema.params || schema.querystring || schema.body);
  const statuses = new Set([...errors, 401, 403, ...(validates ? [400] : [])]);
  return {
    ...schema,
    tags: [tag],
    summary,
    security: [{ bearer: [ACCOUNT_SCOPE] }],
    response: { ...schema.response, ...problemResponses(...[...statuses].sort((a, b) => a - b)) },
  } as AccountRouteSchema<S>;
}
