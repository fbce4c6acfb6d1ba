import { requireScopes } from '@platform/auth';
import { HttpError, notFound, problemResponses } from '@platform/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EgressPolicy } from '../egress/egress-policy.ts';
import { type AuthorityClient, AuthorityUnavailableError } from '../http-step/authority-client.ts';
import { ID_PATTERN } from './definition.schema.ts';
import type { DefinitionsRepository } from './definitions.repository.ts';
import { checkHttpSteps, type ScopeRequest, scopeIssues } from './step-egress.ts';
import { compileDefinition, DefinitionError, parseDefinitionSource } from './validate-definition.ts';

export interface DefinitionRouteOptions {
  policy: EgressPolicy;
  /** Learns an author's scopes beyond those of the token they save with; null without a client secret. */
  authority: AuthorityClient | null;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const summary = {
  type: 'object',
  required: ['id', 'version', 'steps', 'created_at'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    name: { type: ['string', 'null'] },
    description: { type: ['string', 'null'] },
    steps: { type: 'integer', description: 'Number of steps.' },
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const record = {
  type: 'object',
  properties: {
    ...summary.properties,
    format: { enum: ['json', 'yaml'] },
    document: {},
    source: { type: 'string' },
  },
} as const;

function invalidDefinition(error: DefinitionError): HttpError {
  return new HttpError({
    status: 400,
    code: 'invalid_definition',
    detail: `the definition is invalid: ${error.issues[0]?.path || '/'}: ${error.issues[0]?.message}${error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : ''}`,
    extensions: { errors: error.issues },
  });
}

/**
 * Parses and validates the body (JSON object, or YAML text), including its http steps' targets; returns the
 * document, its original text and the scopes its steps' tokens ask for.
 */
function readDefinition(request: FastifyRequest, policy: EgressPolicy) {
  const isYaml = typeof request.body === 'string';
  try {
    const document = parseDefinitionSource(request.body);
    compileDefinition(document);
    const { issues, scopes } = checkHttpSteps(document, policy);
    if (issues.length) throw new DefinitionError(issues);
    const format = isYaml ? ('yaml' as const) : ('json' as const);
    return {
      document,
      format,
      source: isYaml ? (request.body as string) : JSON.stringify(request.body, null, 2),
      scopes,
    };
  } catch (error) {
    if (error instanceof DefinitionError) throw invalidDefinition(error);
    throw error;
  }
}

/**
 * The scopes the author holds now: their token's, and, when a step asks for more, what their roles grant
 * (their token for flow-service carries only flow scopes). A step asking beyond that is refused.
 */
async function heldScopes(
  request: FastifyRequest,
  requests: ScopeRequest[],
  authority: AuthorityClient | null,
): Promise<Set<string>> {
  const token = request.token!;
  const held = new Set(token.scopes);
  if (authority && !requests.every((r) => held.has(r.scope))) await addRoleScopes(request, authority, held);
  const refused = scopeIssues(requests, held);
  if (refused.length) throw invalidDefinition(new DefinitionError(refused));
  return held;
}

async function addRoleScopes(request: FastifyRequest, authority: AuthorityClient, held: Set<string>) {
  const token = request.token!;
  try {
    const now = await authority.current(token.sub);
    if (now?.active) for (const scope of now.scopes) held.add(scope);
  } catch (error) {
    if (!(error instanceof AuthorityUnavailableError)) throw error;
    request.log.warn({ err: error }, "cannot learn a definition author's scopes");
    throw new HttpError({
      status: 503,
      code: 'authority_unavailable',
      detail: 'oauth-service could not confirm the scopes your steps ask for; try again shortly',
    });
  }
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
} as const;

export function definitionRoutes(
  app: FastifyInstance,
  definitions: DefinitionsRepository,
  options: DefinitionRouteOptions,
): void {
  // YAML bodies arrive as text and are parsed (and size-limited) like JSON ones.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/flow/api/v1/definitions',
    {
      preHandler: requireScopes('flow:write'),
      schema: {
        summary: 'Create a definition, or the next version of one (needs flow:write)',
        description:
          'http steps are checked against the egress policy (400 naming the step and field) and may ask a token only for scopes their author holds (400); 503 when oauth-service cannot confirm those scopes.',
        security: [{ bearer: ['flow:write'] }],
        response: { 201: record, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { document, format, source, scopes } = readDefinition(request, options.policy);
      const held = await heldScopes(request, scopes, options.authority);
      const created = await definitions.create({
        document,
        format,
        source,
        createdBy: request.token!.sub,
        authorScopes: [...held],
      });
      return reply
        .status(201)
        .header('location', `/flow/api/v1/definitions/${created.id}/versions/${created.version}`)
        .send(created);
    },
  );

  app.post(
    '/flow/api/v1/definitions/validate',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'Validate a definition without storing it (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        response: {
          200: { type: 'object', properties: { valid: { type: 'boolean' } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      readDefinition(request, options.policy);
      return { valid: true };
    },
  );

  app.get(
    '/flow/api/v1/definitions',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'List definitions, latest version of each (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        response: {
          200: { type: 'object', properties: { definitions: { type: 'array', items: summary } } },
          ...problemResponses(401, 403),
        },
      },
    },
    async () => ({ definitions: await definitions.list() }),
  );

  app.get<{ Params: { id: string } }>(
    '/flow/api/v1/definitions/:id',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'Latest version of a definition (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: idParams,
        response: { 200: record, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const found = await definitions.get(request.params.id);
      if (!found) throw notFound(`definition ${request.params.id} does not exist`);
      return found;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/flow/api/v1/definitions/:id/versions',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'Versions of a definition, newest first (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: idParams,
        response: {
          200: { type: 'object', properties: { versions: { type: 'array', items: summary } } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const versions = await definitions.versions(request.params.id);
      if (versions.length === 0) throw notFound(`definition ${request.params.id} does not exist`);
      return { versions };
    },
  );

  app.get<{ Params: { id: string; version: number } }>(
    '/flow/api/v1/definitions/:id/versions/:version',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'One version of a definition (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: {
          type: 'object',
          required: ['id', 'version'],
          properties: { id: idParams.properties.id, version: { type: 'integer', minimum: 1 } },
        },
        response: { 200: record, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const found = await definitions.get(request.params.id, request.params.version);
      if (!found) throw notFound(`definition ${request.params.id} has no version ${request.params.version}`);
      return found;
    },
  );
}
