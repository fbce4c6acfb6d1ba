import { type OPTIONAL_BODY, problemResponses } from '@platform/http';
import type { FastifySchema } from 'fastify';

// JSON schemas shared by the admin routes. Timestamps are ISO 8601 strings; lists are `{ items }`, pages
// `{ items, next_cursor }`. Response schemas also decide what leaves the service: Fastify's serializer
// writes only the properties they list, so a field missing here (a client secret) cannot leak by accident.

export const time = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;

/** An id in a path: any non-empty string; ids that do not exist are a 404, not a 400. */
export const pathId = { type: 'string', minLength: 1, maxLength: 255 } as const;

export function params<const K extends string>(...names: K[]) {
  return {
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((name) => [name, pathId])) as Record<K, typeof pathId>,
  } as const;
}

export function listOf<const T extends object>(item: T) {
  return {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: item } },
  } as const;
}

export function pageOf<const T extends object>(item: T) {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: {
      items: { type: 'array', items: item },
      next_cursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
  } as const;
}

/** A CSV download: UTF-8, RFC 4180, a header row, offered as an attachment named `filename`. */
export const csvResponse = (filename: string) =>
  ({
    description: `A CSV file (\`Content-Disposition: attachment; filename=${filename}\`), header row first. Cells that a spreadsheet would read as a formula start with an apostrophe.`,
    content: { 'text/csv': { schema: { type: 'string' } } },
  }) as const;

export const noContent = { 204: { type: 'null', description: 'Done; no body.' } } as const;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);

export type AdminScope = 'admin:read' | 'admin:write';

type RouteSchemaInput = FastifySchema & { response?: Record<number, unknown> } & Partial<
    Record<typeof OPTIONAL_BODY, boolean>
  >;

/**
 * A route schema as routeSchema returns it: the input's own types kept, so handlers are typed from it. The
 * problem responses only document (the error handler writes those bodies), so they stay out of the type.
 */
export type AdminRouteSchema<S extends RouteSchemaInput> = S & {
  tags: string[];
  summary: string;
  security: Array<{ bearer: AdminScope[] }>;
};

/**
 * A route's OpenAPI schema: tag, summary, the bearer security requirement of its scope, and the problem
 * responses it can give (401 and 403 always, 400 whenever it validates a parameter or body; pass the others).
 */
export function routeSchema<const S extends RouteSchemaInput>(
  scope: AdminScope,
  tag: string,
  summary: string,
  schema: S,
  errors: number[] = [],
): AdminRouteSchema<S> {
  const validates = Boolean(schema.params || schema.querystring || schema.body);
  const statuses = new Set([...errors, 401, 403, ...(validates ? [400] : [])]);
  return {
    ...schema,
    tags: [tag],
    summary: `${summary} (needs ${scope})`,
    security: [{ bearer: [scope] }],
    response: {
      ...schema.response,
      ...problemResponses(...[...statuses].sort((a, b) => a - b)),
    },
  } as AdminRouteSchema<S>;
}
