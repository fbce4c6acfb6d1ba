import { requireScopes } from '@platform/auth';
import { type App, badRequest, type Handler, problemResponses } from '@platform/http';
import type { FastifyRequest } from 'fastify';

// Headers that carry credentials or session state are never echoed back, even to their own sender:
// responses end up in logs, caches and bug reports.
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'dpop',
  'x-api-key',
]);

function safeHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (SECRET_HEADERS.has(name) || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function echo(request: FastifyRequest) {
  const token = request.token!;
  return {
    method: request.method,
    path: request.url.split('?')[0],
    query: request.query,
    headers: safeHeaders(request),
    body: request.body ?? null,
    token: {
      sub: token.sub,
      client_id: token.clientId,
      scope: [...token.scopes].join(' '),
      ...(token.act ? { act: token.act } : {}),
    },
  };
}

const echoResponse = {
  type: 'object',
  required: ['method', 'path', 'headers', 'token'],
  properties: {
    method: { type: 'string' },
    path: { type: 'string' },
    query: { type: 'object', additionalProperties: true },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
    token: {
      type: 'object',
      properties: {
        sub: { type: 'string' },
        client_id: { type: 'string' },
        scope: { type: 'string' },
        act: {
          type: 'object',
          description: 'RFC 8693: the party acting for sub, with whom it acted for nested',
          required: ['sub'],
          properties: { sub: { type: 'string' }, act: { type: 'object', additionalProperties: true } },
        },
      },
    },
  },
} as const;

const echoGetSchema = {
  summary: 'Echo the request (needs test:read)',
  security: [{ bearer: ['test:read'] }],
  response: { 200: echoResponse, ...problemResponses(400, 401, 403) },
} as const;

const echoPostSchema = {
  summary: 'Echo the request and its JSON body (needs test:write)',
  security: [{ bearer: ['test:write'] }],
  body: {},
  response: { 200: echoResponse, ...problemResponses(400, 401, 403, 413, 415) },
} as const;

const echoGet: Handler<typeof echoGetSchema> = async (request) => echo(request);

const echoPost: Handler<typeof echoPostSchema> = async (request) => {
  // The document says the body is required (any JSON value, null included); an empty request has none.
  if (request.body === undefined) throw badRequest('a JSON body is required');
  return echo(request);
};

export function echoRoutes(app: App): void {
  app.get('/test/api/v1/echo', { preHandler: requireScopes('test:read'), schema: echoGetSchema }, echoGet);
  app.post(
    '/test/api/v1/echo',
    { preHandler: requireScopes('test:write'), schema: echoPostSchema },
    echoPost,
  );
}
