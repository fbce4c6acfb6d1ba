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

const editable = {
  cron: { type: 'string', minLength: 1, maxLength: 120, description: 'Five or six fields (croner syntax).' },
  timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone.' },
  overlap: { enum: ['skip', 'allow'] },
  input: { type: 'object', description: "The run's input; each fire adds `scheduledAt`." },
  enabled: { type: 'boolean' },
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
      ...editable,
      timezone: { ...editable.timezone, default: 'UTC' },
      overlap: { ...editable.overlap, default: 'skip' },
      enabled: { ...editable.enabled, default: true },
      catchup_ms: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 * 1000 },
    },
  },
  response: { 201: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const listSchedulesSchema = {
  summary: 'List schedules, of one definition or all (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { definition: { type: 'string', pattern: ID_PATTERN } },
  },
  response: {
    200: { type: 'object', properties: { schedules: { type: 'array', items: scheduleSchema } } },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const getScheduleSchema = {
  summary: 'A schedule (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: uuidIdParams,
  response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const updateScheduleSchema = {
  summary: 'Edit a schedule: cron, time zone, input, overlap, or pause and resume it (needs flow:write)',
  description:
    'Fields left out keep their value. A new cron or time zone, or a resume, fires from now on. 400 names the field of a cron or time zone that does not work.',
  security: [{ bearer: ['flow:write'] }],
  params: uuidIdParams,
  body: { type: 'object', minProperties: 1, additionalProperties: false, properties: editable },
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
