import { problemResponses, uuidIdParams } from '@platform/http';
import { CURSOR_PATTERN } from './items.repository.ts';

const item = {
  type: 'object',
  required: ['id', 'name', 'data', 'created_by', 'created_by_actor', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    data: {},
    created_by: { type: 'string', description: 'sub of the token that created it (the user)' },
    created_by_actor: {
      type: ['string', 'null'],
      description: 'act.sub of that token: the client that acted for the user (RFC 8693), or null',
    },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const listItemsSchema = {
  summary: 'List items, newest first (needs test:read)',
  security: [{ bearer: ['test:read'] }],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      // Empty means the first page, so a client may always send `cursor=${next_cursor ?? ''}`.
      cursor: { type: 'string', pattern: CURSOR_PATTERN },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const getItemSchema = {
  summary: 'Get an item (needs test:read)',
  security: [{ bearer: ['test:read'] }],
  params: uuidIdParams,
  response: { 200: item, ...problemResponses(400, 401, 403, 404) },
} as const;

export const createItemSchema = {
  summary: 'Create an item (needs test:write)',
  security: [{ bearer: ['test:write'] }],
  body: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, data: {} },
  },
  response: { 201: item, ...problemResponses(400, 401, 403, 413, 415) },
} as const;

export const deleteItemSchema = {
  summary: 'Delete an item (needs test:write)',
  security: [{ bearer: ['test:write'] }],
  params: uuidIdParams,
  response: {
    204: { type: 'null', description: 'Deleted; no body.' },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
