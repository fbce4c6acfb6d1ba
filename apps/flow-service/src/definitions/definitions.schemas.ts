// The JSON Schemas of the definitions API. definitions.routes.ts registers the routes that answer with them.
import { PROBLEM_CONTENT_TYPE, problemResponses, problemSchema } from '@platform/http';
import { ID_PATTERN } from './definition.schema.ts';

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

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
} as const;

/** The 400 of the create and validate routes: every fault, placed in the YAML text when the body was YAML. */
const invalidDefinitionResponse = {
  description: 'Problem details (RFC 9457), status 400: `invalid_definition` lists every fault in `errors`.',
  content: {
    [PROBLEM_CONTENT_TYPE.split(';')[0] as string]: {
      schema: {
        ...problemSchema,
        properties: {
          ...problemSchema.properties,
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['path', 'message'],
              properties: {
                path: { type: 'string', description: 'JSON Pointer to the fault in the document.' },
                message: { type: 'string' },
                line: {
                  type: 'integer',
                  minimum: 1,
                  description: 'Line of the fault in a YAML body (1-based); absent for JSON bodies.',
                },
                column: { type: 'integer', minimum: 1, description: 'Column on that line (1-based).' },
              },
            },
          },
        },
      },
    },
  },
} as const;

// The create and validate routes declare no body: it is a JSON object or YAML text, checked by
// validate-definition.ts, whose issues say more than a schema validator's.
export const createDefinitionSchema = {
  summary: 'Create a definition, or the next version of one (needs flow:write)',
  description:
    'http steps are checked against the egress policy (400 naming the step and field) and may ask a token only for scopes their author holds (400); 503 when oauth-service cannot confirm those scopes.',
  security: [{ bearer: ['flow:write'] }],
  response: { 201: record, 400: invalidDefinitionResponse, ...problemResponses(401, 403, 503) },
} as const;

export const validateDefinitionSchema = {
  summary: 'Validate a definition without storing it (needs flow:read)',
  description:
    'The body is a JSON object or YAML text (`application/yaml`), as for creating one. 400 lists every fault, each with its line and column when the body was YAML.',
  security: [{ bearer: ['flow:read'] }],
  response: {
    200: { type: 'object', properties: { valid: { type: 'boolean' } } },
    400: invalidDefinitionResponse,
    ...problemResponses(401, 403),
  },
} as const;

export const listDefinitionsSchema = {
  summary: 'List definitions, latest version of each (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  response: {
    200: { type: 'object', properties: { definitions: { type: 'array', items: summary } } },
    ...problemResponses(401, 403),
  },
} as const;

export const getDefinitionSchema = {
  summary: 'Latest version of a definition (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: idParams,
  response: { 200: record, ...problemResponses(400, 401, 403, 404) },
} as const;

export const listVersionsSchema = {
  summary: 'Versions of a definition, newest first (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: idParams,
  response: {
    200: { type: 'object', properties: { versions: { type: 'array', items: summary } } },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export const getVersionSchema = {
  summary: 'One version of a definition (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: {
    type: 'object',
    required: ['id', 'version'],
    properties: { id: idParams.properties.id, version: { type: 'integer', minimum: 1 } },
  },
  response: { 200: record, ...problemResponses(400, 401, 403, 404) },
} as const;
