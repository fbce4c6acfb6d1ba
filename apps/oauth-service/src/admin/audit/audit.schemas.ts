import { ACTION_FILTER_PATTERN, AUDIT_CURSOR_PATTERN } from '../../audit/audit-log.ts';
import { csvResponse, nullableString, pageOf, routeSchema, time } from '../schemas.ts';

const TAG = 'audit';

const eventSchema = {
  type: 'object',
  required: [
    'id',
    'created_at',
    'actor_type',
    'actor_deleted',
    'action',
    'target_deleted',
    'client_name',
    'outcome',
    'details',
  ],
  properties: {
    id: { type: 'integer' },
    created_at: time,
    actor_type: { type: 'string', enum: ['user', 'client', 'system'] },
    actor_id: nullableString,
    actor_name: {
      type: ['string', 'null'],
      description:
        "The user's username or the client's name now; the name recorded at the time once it is gone.",
    },
    actor_deleted: {
      type: 'boolean',
      description: 'The actor id names a user or client that no longer exists.',
    },
    action: { type: 'string' },
    target_type: nullableString,
    target_id: nullableString,
    target_name: {
      type: ['string', 'null'],
      description: 'The username or client name of a `user` or `client` target that still exists.',
    },
    target_deleted: {
      type: 'boolean',
      description: 'The target id names a user or client that no longer exists.',
    },
    client_id: nullableString,
    client_name: {
      type: ['string', 'null'],
      description: 'The name of the client the actor acted through, while it exists.',
    },
    ip: {
      type: ['string', 'null'],
      description: "The caller's address, or the one a trusted proxy forwarded in X-Forwarded-For.",
    },
    user_agent: {
      type: ['string', 'null'],
      description: "The caller's User-Agent, or the one a trusted proxy forwarded in X-Forwarded-User-Agent.",
    },
    request_id: nullableString,
    outcome: { type: 'string', enum: ['success', 'failure'] },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const text = (maxLength: number, description: string) =>
  ({ type: 'string', minLength: 1, maxLength, description }) as const;

const auditFilters = {
  actor: text(255, 'Actor id: a user id or a client id.'),
  actor_type: { type: 'string', enum: ['user', 'client', 'system'] },
  action: {
    ...text(66, 'An action (`user.create`) or a prefix ending in `.*` (`user.*`).'),
    pattern: ACTION_FILTER_PATTERN,
  },
  target_type: text(64, 'e.g. `user`, `client`.'),
  target_id: text(255, 'The id of the target.'),
  client_id: text(255, 'The client the actor acted through.'),
  outcome: { type: 'string', enum: ['success', 'failure'] },
  from: { type: 'string', format: 'date-time', description: 'Inclusive, ISO 8601.' },
  to: { type: 'string', format: 'date-time', description: 'Exclusive, ISO 8601.' },
  sort: {
    type: 'string',
    enum: ['time'],
    default: 'time',
    description: 'The time each event was recorded (the only order of the log).',
  },
  order: { type: 'string', enum: ['asc', 'desc'], default: 'desc', description: 'desc: newest first.' },
} as const;

export const queryAuditSchema = routeSchema(
  'admin:read',
  TAG,
  'Query the audit log, newest first unless asked oldest first',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...auditFilters,
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        cursor: {
          type: 'string',
          pattern: AUDIT_CURSOR_PATTERN,
          description: '`next_cursor` of the previous page, asked in the same order.',
        },
      },
    },
    response: { 200: pageOf(eventSchema) },
  },
  [400],
);

export const exportAuditSchema = routeSchema(
  'admin:read',
  TAG,
  'Every audit event matching the filters, as CSV (RFC 4180; details as JSON in one cell)',
  {
    querystring: { type: 'object', additionalProperties: false, properties: auditFilters },
    produces: ['text/csv'],
    response: { 200: csvResponse('audit-log.csv') },
  },
  [400],
);

export const getAuditEventSchema = routeSchema(
  'admin:read',
  TAG,
  'Get one audit event',
  {
    params: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
    },
    response: { 200: eventSchema },
  },
  [400, 404],
);
