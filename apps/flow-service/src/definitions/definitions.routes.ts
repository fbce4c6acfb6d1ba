import { requireScopes } from '@platform/auth';
import { HttpError, notFound, problemResponses } from '@platform/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ID_PATTERN } from './definition.schema.ts';
import type { DefinitionsRepository } from './definitions.repository.ts';
import { compileDefinition, DefinitionError, parseDefinitionSource } from './validate-definition.ts';

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

/** Parses and validates the body: JSON object, or YAML text; returns the document and its original text. */
function readDefinition(request: FastifyRequest) {
  const isYaml = typeof request.body === 'string';
  try {
    const document = parseDefinitionSource(request.body);
    compileDefinition(document);
    const format = isYaml ? ('yaml' as const) : ('json' as const);
    return {
      document,
      format,
      source: isYaml ? (request.body as string) : JSON.stringify(request.body, null, 2),
    };
  } catch (error) {
    if (error instanceof DefinitionError) throw invalidDefinition(error);
    throw error;
  }
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
} as const;

export function definitionRoutes(app: FastifyInstance, definitions: DefinitionsRepository): void {
  // YAML bodies arrive as text and are parsed (and size-limited) like JSON ones.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/flow/api/v1/definitions',
    {
      preHandler: requireScopes('flow:write'),
      schema: {
        summary: 'Create a definition, or the next version of one (needs flow:write)',
        security: [{ bearer: ['flow:write'] }],
        response: { 201: record, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { document, format, source } = readDefinition(request);
      const created = await definitions.create({ document, format, source, createdBy: request.token!.sub });
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
      readDefinition(request);
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
