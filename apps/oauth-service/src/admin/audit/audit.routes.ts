import { notFound } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import {
  ACTION_FILTER_PATTERN,
  AUDIT_CURSOR_PATTERN,
  type AuditEvent,
  type AuditQuery,
} from '../../audit/audit-log.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, nullableString, pageOf, routeSchema, time } from '../schemas.ts';

const TAG = 'audit';

const eventSchema = {
  type: 'object',
  required: ['id', 'created_at', 'actor_type', 'action', 'outcome', 'details'],
  properties: {
    id: { type: 'integer' },
    created_at: time,
    actor_type: { type: 'string', enum: ['user', 'client', 'system'] },
    actor_id: nullableString,
    actor_name: nullableString,
    action: { type: 'string' },
    target_type: nullableString,
    target_id: nullableString,
    client_id: nullableString,
    ip: nullableString,
    user_agent: nullableString,
    request_id: nullableString,
    outcome: { type: 'string', enum: ['success', 'failure'] },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const view = (event: AuditEvent) => ({
  id: event.id,
  created_at: iso(event.createdAt),
  actor_type: event.actorType,
  actor_id: event.actorId,
  actor_name: event.actorName,
  action: event.action,
  target_type: event.targetType,
  target_id: event.targetId,
  client_id: event.clientId,
  ip: event.ip,
  user_agent: event.userAgent,
  request_id: event.requestId,
  outcome: event.outcome,
  details: event.details,
});

interface AuditQuerystring {
  actor?: string;
  actor_type?: 'user' | 'client' | 'system';
  action?: string;
  target_type?: string;
  target_id?: string;
  client_id?: string;
  outcome?: 'success' | 'failure';
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

const text = (maxLength: number, description: string) =>
  ({ type: 'string', minLength: 1, maxLength, description }) as const;

/**
 * Epoch ms of an RFC 3339 date-time as the schema's `date-time` format admits it. Date.parse alone
 * refuses a leap second (23:59:60, read as 23:59:59) and an offset without its colon (+0530).
 */
export function epochMs(text: string): number {
  const normalised = text
    .toUpperCase()
    .replace(/:60(?=(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)$)/, ':59')
    .replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  return Date.parse(normalised);
}

export function auditRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit) {
  const { audit } = deps;
  const { guard } = kit;

  app.get<{ Querystring: AuditQuerystring }>(
    '/audit',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        'Query the audit log, newest first',
        {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
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
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
              cursor: { type: 'string', pattern: AUDIT_CURSOR_PATTERN },
            },
          },
          response: { 200: pageOf(eventSchema) },
        },
        [400],
      ),
    },
    async (request) => {
      const q = request.query;
      const filters: AuditQuery = {};
      if (q.actor !== undefined || q.actor_type !== undefined) {
        filters.actor = {
          ...(q.actor !== undefined ? { id: q.actor } : {}),
          ...(q.actor_type !== undefined ? { type: q.actor_type } : {}),
        };
      }
      if (q.target_type !== undefined || q.target_id !== undefined) {
        filters.target = {
          ...(q.target_type !== undefined ? { type: q.target_type } : {}),
          ...(q.target_id !== undefined ? { id: q.target_id } : {}),
        };
      }
      if (q.action !== undefined) filters.action = q.action;
      if (q.client_id !== undefined) filters.clientId = q.client_id;
      if (q.outcome !== undefined) filters.outcome = q.outcome;
      if (q.from !== undefined) filters.from = epochMs(q.from);
      if (q.to !== undefined) filters.to = epochMs(q.to);
      if (q.limit !== undefined) filters.limit = q.limit;
      if (q.cursor !== undefined) filters.cursor = q.cursor;
      const page = await audit.query(filters);
      return { items: page.items.map(view), next_cursor: page.nextCursor };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/audit/:id',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
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
      ),
    },
    async (request) => {
      const event = await audit.get(request.params.id);
      if (!event) throw notFound(`no audit event with id ${request.params.id}`);
      return view(event);
    },
  );
}
