// The JSON Schemas of the approvals inbox. approvals.routes.ts registers the routes that answer with them.
import { problemResponses } from '@platform/http';
import { ID_PATTERN } from '../definitions/definition.schema.ts';
import { APPROVALS_CURSOR_PATTERN } from './approvals.repository.ts';

const approvalItem = {
  type: 'object',
  required: [
    'run_id',
    'definition',
    'version',
    'step_id',
    'message',
    'started_by',
    'trigger',
    'waiting_since',
  ],
  properties: {
    run_id: { type: 'string' },
    definition: { type: 'string' },
    definition_name: { type: ['string', 'null'] },
    version: { type: 'integer' },
    step_id: { type: 'string' },
    step_name: { type: ['string', 'null'] },
    message: { type: ['string', 'null'], description: 'The step’s message, its templates rendered.' },
    details: { description: 'The step’s `details` input, rendered.' },
    started_by: { type: 'string', description: 'Subject (user id) or service that started the run.' },
    trigger: { type: 'string' },
    run_created_at: { type: 'string' },
    waiting_since: { type: ['string', 'null'] },
    deadline_at: { type: ['string', 'null'], description: 'When the step decides by itself (onTimeout).' },
  },
} as const;

export const listApprovalsSchema = {
  summary: 'Approval steps waiting for a decision, longest waiting first (needs flow:approve)',
  security: [{ bearer: ['flow:approve'] }],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      definition: { type: 'string', pattern: ID_PATTERN },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      // Empty means the first page, so a client may always send `cursor=${next_cursor ?? ''}`.
      cursor: { type: 'string', pattern: APPROVALS_CURSOR_PATTERN },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['approvals', 'next_cursor'],
      properties: {
        approvals: { type: 'array', items: approvalItem },
        next_cursor: { type: ['string', 'null'] },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const countApprovalsSchema = {
  summary: 'How many approval steps wait for a decision (needs flow:approve)',
  security: [{ bearer: ['flow:approve'] }],
  response: {
    200: { type: 'object', required: ['waiting'], properties: { waiting: { type: 'integer' } } },
    ...problemResponses(401, 403),
  },
} as const;
