import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './errors.ts';
import type { OpenApiOptions, OpenApiSubDocument } from './options.ts';

const PROBLEM_MEDIA_TYPE = PROBLEM_CONTENT_TYPE.split(';')[0] as string;

/** JSON Schema of an RFC 9457 problem as `toProblem` writes it; extensions (e.g. `errors`) are allowed. */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'URN naming the problem, `urn:problem:<code>`.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'Path of the request that failed.' },
    code: { type: 'string', description: 'Stable machine-readable error code.' },
    request_id: { type: 'string', description: 'Echo of the `x-request-id` response header.' },
  },
  additionalProperties: true,
} as const;

export interface ProblemResponse {
  description: string;
  content: Record<string, { schema: typeof problemSchema }>;
}

/**
 * Route-schema `response` entries documenting problem+json errors, e.g.
 * `schema: { response: { 200: item, ...problemResponses(400, 404) } }`. They only document: error bodies
 * are serialized by the app's error handler, never by these schemas.
 */
export function problemResponses(...statuses: number[]): Record<number, ProblemResponse> {
  const responses: Record<number, ProblemResponse> = {};
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error(`problemResponses: ${status} is not an error status`);
    }
    responses[status] = {
      description: `Problem details (RFC 9457), status ${status}.`,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } },
    };
  }
  return responses;
}

/**
 * Route-schema key marking a body the route does without (e.g. `{ 'x-optional-body': true, body: {...} }`
 * when a preValidation hook supplies the default). @fastify/swagger marks every declared body required;
 * the document is corrected for these routes so clients and contract tests see the truth.
 */
export const OPTIONAL_BODY = 'x-optional-body' as const;

type Operations = Record<string, Record<string, Record<string, unknown>>>;

function markOptionalBodies(document: { paths?: Operations }): void {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null || !(OPTIONAL_BODY in operation)) continue;
      delete operation[OPTIONAL_BODY];
      const body = operation.requestBody as { required?: boolean } | undefined;
      if (body) body.required = false;
    }
  }
}

/** Name of the bearer-token security scheme in every service's OpenAPI document. */
export const BEARER_SECURITY_SCHEME = 'bearer';

/**
 * Registers @fastify/swagger (OpenAPI 3.1) and serves the document at `options.path`.
 * Must be awaited before the service adds routes: swagger only sees routes added after it loaded.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description ? { description: options.description } : {}),
      },
      // Every platform resource service takes RFC 9068 JWT access tokens; routes reference this scheme as
      // `security: [{ bearer: ['scope'] }]`.
      components: {
        securitySchemes: {
          [BEARER_SECURITY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'RFC 9068 JWT access token in `Authorization: Bearer <token>`. A DPoP-bound token (`cnf.jkt`) ' +
              'goes in `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449; htu is the public ' +
              'URL). 401 answers carry `WWW-Authenticate`: `Bearer` and `DPoP algs="…"` without a token, ' +
              '`DPoP error="invalid_token"` for a bound token sent as Bearer, `DPoP error="invalid_dpop_proof"` ' +
              'for a missing, reused or mismatched proof.',
          },
        },
      },
    },
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject: { paths?: Operations } }).openapiObject;
      markOptionalBodies(document);
      return document;
    },
  });

  const documents = options.documents ?? [];
  const prefixes = documents.flatMap((document) => document.prefixes);
  const outside = (path: string) => !prefixes.some((prefix) => path.startsWith(prefix));
  app.get(options.path, { schema: { hide: true } }, async () =>
    prefixes.length === 0 ? app.swagger() : withPaths(app.swagger() as Document, outside),
  );
  for (const document of documents) {
    app.get(document.path, { schema: { hide: true } }, async () =>
      subDocument(app.swagger() as Document, document),
    );
  }
}

interface Document {
  paths?: Record<string, unknown>;
  info?: Record<string, unknown>;
}

/** A copy of `document` with only the paths `keep` accepts (the cached original stays whole). */
function withPaths(document: Document, keep: (path: string) => boolean): Document {
  const paths = Object.fromEntries(Object.entries(document.paths ?? {}).filter(([path]) => keep(path)));
  return { ...document, paths };
}

function subDocument(document: Document, sub: OpenApiSubDocument): Document {
  const { description: _main, ...info } = document.info ?? {};
  return {
    ...withPaths(document, (path) => sub.prefixes.some((prefix) => path.startsWith(prefix))),
    info: { ...info, title: sub.title, ...(sub.description ? { description: sub.description } : {}) },
  };
}

/** Path parameters of a route addressing one resource by its UUID (`/…/:id`). */
export const uuidIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;
