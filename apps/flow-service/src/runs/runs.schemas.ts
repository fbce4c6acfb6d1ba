// The JSON Schemas of the runs API: path parameters, run summaries and details, events, the event
// stream's items, and each route's schema. runs.routes.ts registers the routes that answer with them.
import { problemResponses } from '@platform/http';
import { ID_PATTERN } from '../definitions/definition.schema.ts';
import { CURSOR_PATTERN } from './runs.repository.ts';

export const STATES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export const runIdParams = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string', format: 'uuid' } },
} as const;
export const stepParams = {
  type: 'object',
  required: ['runId', 'stepId'],
  properties: { runId: { type: 'string', format: 'uuid' }, stepId: { type: 'string', pattern: ID_PATTERN } },
} as const;

export const runSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    definition: { type: 'string' },
    version: { type: 'integer' },
    state: { enum: STATES },
    trigger: { type: 'string' },
    created_by: { type: 'string', description: 'The subject id of whoever started the run.' },
    created_by_name: {
      type: ['string', 'null'],
      description: "The starter's username (their token's preferred_username); null when none was known.",
    },
    error: { type: ['string', 'null'] },
    parent_run_id: { type: ['string', 'null'] },
    rerun_of: { type: ['string', 'null'] },
    schedule_id: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    started_at: { type: ['string', 'null'] },
    finished_at: { type: ['string', 'null'] },
    deadline_at: { type: ['string', 'null'] },
  },
} as const;

export const runDetail = {
  type: 'object',
  properties: {
    ...runSummary.properties,
    input: {},
    output: {},
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: ['string', 'null'] },
          type: { type: 'string' },
          depends_on: { type: 'array', items: { type: 'string' } },
          state: { enum: STATES },
          attempt: { type: 'integer' },
          max_attempts: { type: 'integer' },
          error: { type: ['string', 'null'] },
          output: {},
          child_run_id: { type: ['string', 'null'] },
          decision: {},
          ready_at: { type: ['string', 'null'] },
          started_at: { type: ['string', 'null'] },
          finished_at: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export const eventSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    type: { type: 'string' },
    step: { type: ['string', 'null'] },
    data: {},
    at: { type: 'string' },
  },
} as const;

// An event as SSE parsers see it (OpenAPI 3.2 `itemSchema` semantics, which Schemathesis checks).
export const streamEvent = {
  type: 'object',
  required: ['id', 'event', 'data'],
  properties: {
    id: { type: 'string', pattern: '^[0-9]+$' },
    event: { type: 'string' },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: eventSchema },
  },
} as const;

export const startRunSchema = {
  summary: 'Start a run (needs flow:run). The same Idempotency-Key returns the same run.',
  security: [{ bearer: ['flow:run'] }],
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: ID_PATTERN } },
  },
  headers: {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
  },
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { input: {}, version: { type: 'integer', minimum: 1 } },
  },
  response: { 201: runSummary, 200: runSummary, ...problemResponses(400, 401, 403, 404, 422) },
} as const;

export const listRunsSchema = {
  summary: 'List runs, newest first (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      definition: { type: 'string', pattern: ID_PATTERN },
      state: { enum: STATES },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      // Empty means the first page, so a client may always send `cursor=${next_cursor ?? ''}`.
      cursor: { type: 'string', pattern: CURSOR_PATTERN },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        runs: { type: 'array', items: runSummary },
        next_cursor: { type: ['string', 'null'] },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const getRunSchema = {
  summary: 'A run with its steps (the DAG with live states) (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: runIdParams,
  response: { 200: runDetail, ...problemResponses(400, 401, 403, 404) },
} as const;

const stepDetail = {
  type: 'object',
  additionalProperties: true,
  description: 'The step and its attempts.',
} as const;

export const getStepSchema = {
  summary: 'A step with its attempts and errors (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: stepParams,
  response: { 200: stepDetail, ...problemResponses(400, 401, 403, 404) },
} as const;

export const listEventsSchema = {
  summary: 'The run’s append-only event history (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: runIdParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      after: { type: 'integer', minimum: 0, default: 0 },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
    },
  },
  response: {
    200: { type: 'object', properties: { events: { type: 'array', items: eventSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export const streamEventsSchema = {
  summary: 'The run’s events as server-sent events; resumes after Last-Event-ID (needs flow:read)',
  security: [{ bearer: ['flow:read'] }],
  params: runIdParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { after: { type: 'integer', minimum: 0 } },
  },
  produces: ['text/event-stream'],
  response: {
    200: {
      description: 'Each event as `id: <seq>`, `event: <type>`, `data: <the event as JSON>`.',
      content: { 'text/event-stream': { schema: streamEvent } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

/** Cancel, retry and rerun: a run id in, the run's detail out (201 when a new run starts). */
function runActionSchema(summary: string) {
  return {
    summary: `${summary} (needs flow:run)`,
    security: [{ bearer: ['flow:run'] }],
    params: runIdParams,
    response: { 200: runDetail, 201: runDetail, ...problemResponses(400, 401, 403, 404, 409) },
  } as const;
}

export const cancelRunSchema = runActionSchema('Cancel a run');
export const retryRunSchema = runActionSchema(
  'Retry a failed, timed-out or cancelled run from its unfinished steps',
);
export const rerunRunSchema = runActionSchema(
  'Start a new run of the same definition version with the same input',
);

export const decideStepSchema = {
  summary: 'Approve or reject a waiting approval step (needs flow:approve)',
  security: [{ bearer: ['flow:approve'] }],
  params: stepParams,
  body: {
    type: 'object',
    required: ['decision'],
    additionalProperties: false,
    properties: {
      decision: { enum: ['approve', 'reject'] },
      comment: { type: 'string', maxLength: 2000 },
    },
  },
  response: { 200: stepDetail, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
