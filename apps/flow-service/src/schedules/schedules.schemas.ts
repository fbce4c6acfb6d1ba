// The JSON Schemas of the schedules API. schedules.routes.ts registers the routes that answer with them.
import { problemResponses, uuidIdParams } from '@platform/http';
import { ID_PATTERN } from '../definitions/definition.schema.ts';

const scheduleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    definition: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    overlap: { enum: ['skip', 'allow'] },
    input: { type: 'object', additionalProperties: true },
    enabled: { type: 'boolean' },
    catchup_ms: { type: 'integer' },
    next_fire_at: { type: ['string', 'null'] },
    last_fire_at: { type: ['string', 'null'] },
    created_by: { type: 'string' },
    created_at: { type: 'string' },
  },
} as const;

export const createScheduleSchema = {
  summary: 'Create a cron schedule for a definition (needs flow:write)',
  security: [{ bearer: ['flow:write'] }],
  body: {
    type: 'object',
    required: ['definition', 'cron'],
    additionalProperties: false,
    properties: {
      definition: { type: 'string', pattern: ID_PATTERN },
      cron: { type: 'string', minLength: 1, maxLength: 120 },
      timezone: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC' },
      overlap: { enum: ['skip', 'allow'], default: 'skip' },
      input: { type: 'object' },
      enabled: { type: 'boolean', default: true },
      catchup_ms: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 * 1000 },
    },
  },
  response: { 201: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const listSchedulesSchema = {
  summary: 'List schedules (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  response: {
    200: { type: 'object', properties: { schedules: { type: 'array', items: scheduleSchema } } },
    ...problemResponses(401, 403),
  },
} as const;

export const getScheduleSchema = {
  summary: 'A schedule (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: uuidIdParams,
  response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const updateScheduleSchema = {
  summary: 'Pause or resume a schedule (needs flow:write)',
  security: [{ bearer: ['flow:write'] }],
  params: uuidIdParams,
  body: {
    type: 'object',
    required: ['enabled'],
    additionalProperties: false,
    properties: { enabled: { type: 'boolean' } },
  },
  response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const deleteScheduleSchema = {
  summary: 'Delete a schedule (needs flow:write)',
  security: [{ bearer: ['flow:write'] }],
  params: uuidIdParams,
  response: {
    204: { type: 'null', description: 'Deleted; no body.' },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
