// The JSON Schemas of the runs API: path parameters, run summaries and details, events and the event
// stream's items. runs.routes.ts registers the routes that answer with them.
import { ID_PATTERN } from '../definitions/definition.schema.ts';

export const STATES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'timed_out'];
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
    created_by: { type: 'string' },
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
