import { ACCESS_TOKEN_TTL_RANGE } from '../../resources/resource-server-rules.ts';
import { listOf, noContent, params, routeSchema, time } from '../schemas.ts';

const TAG = 'resource-servers';

const scopeSchema = {
  type: 'object',
  required: ['name', 'description'],
  properties: { name: { type: 'string' }, description: { type: 'string' } },
} as const;

export const resourceServerSchema = {
  type: 'object',
  required: ['id', 'name', 'identifier', 'description', 'access_token_ttl', 'scopes', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    identifier: { type: 'string', description: 'RFC 8707 resource indicator; the `aud` of its tokens.' },
    description: { type: 'string' },
    access_token_ttl: {
      type: ['integer', 'null'],
      description: 'Access token lifetime in seconds; null for the service default.',
    },
    scopes: { type: 'array', items: scopeSchema },
    created_at: time,
  },
} as const;

// Bounds only; resources/resource-server-rules.ts applies the rules and names every broken field.
const name = { type: 'string', maxLength: 64 } as const;
const identifier = { type: 'string', maxLength: 512 } as const;
const description = { type: 'string', maxLength: 500 } as const;
const ttl = {
  type: ['integer', 'null'],
  minimum: ACCESS_TOKEN_TTL_RANGE.min,
  maximum: ACCESS_TOKEN_TTL_RANGE.max,
} as const;
const scopeInput = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 128 }, description },
} as const;

export const listServersSchema = routeSchema('admin:read', TAG, 'List resource servers with their scopes', {
  response: { 200: listOf(resourceServerSchema) },
});

export const createServerSchema = routeSchema(
  'admin:write',
  TAG,
  'Create a resource server, optionally with scopes (each gets the RBAC permission of its name)',
  {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'identifier'],
      properties: {
        name,
        identifier,
        description,
        access_token_ttl: ttl,
        scopes: { type: 'array', maxItems: 100, items: scopeInput },
      },
    },
    response: { 201: resourceServerSchema },
  },
  [400, 409],
);

export const getServerSchema = routeSchema(
  'admin:read',
  TAG,
  'Get a resource server',
  { params: params('id'), response: { 200: resourceServerSchema } },
  [404],
);

export const updateServerSchema = routeSchema(
  'admin:write',
  TAG,
  'Update a resource server (scopes have their own routes)',
  {
    params: params('id'),
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { name, identifier, description, access_token_ttl: ttl },
    },
    response: { 200: resourceServerSchema },
  },
  [400, 404, 409],
);

export const deleteServerSchema = routeSchema(
  'admin:write',
  TAG,
  'Delete a resource server and its scopes (clients lose them; permissions stay with their roles)',
  { params: params('id'), response: noContent },
  [404, 409],
);

export const addScopeSchema = routeSchema(
  'admin:write',
  TAG,
  'Add a scope to a resource server; the RBAC permission of the same name is created if missing',
  { params: params('id'), body: scopeInput, response: { 201: resourceServerSchema } },
  [400, 404, 409],
);

export const removeScopeSchema = routeSchema(
  'admin:write',
  TAG,
  'Remove a scope from a resource server and from every client allowed it',
  { params: params('id', 'scope'), response: { 200: resourceServerSchema } },
  [404],
);
