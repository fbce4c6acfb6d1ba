import { type App, type Handler, notFound, type SchemaType } from '@platform/http';
import type { AuditEvent, AuditQuery } from '../../audit/audit-log.ts';
import {
  type AuditEventNames,
  type AuditNames,
  createAuditNames,
} from '../../audit/audit-names.repository.ts';
import { type CsvValue, primed, sendCsv } from '../csv.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso } from '../schemas.ts';
import { exportAuditSchema, getAuditEventSchema, queryAuditSchema } from './audit.schemas.ts';

/** An event as the API shows it: ids with the names they stand for (see audit-names.repository.ts). */
const view = (event: AuditEvent, names: AuditEventNames) => ({
  id: event.id,
  created_at: iso(event.createdAt),
  actor_type: event.actorType,
  actor_id: event.actorId,
  actor_name: names.actor.name,
  actor_deleted: names.actor.deleted,
  action: event.action,
  target_type: event.targetType,
  target_id: event.targetId,
  target_name: names.target.name,
  target_deleted: names.target.deleted,
  client_id: event.clientId,
  client_name: names.clientName,
  ip: event.ip,
  user_agent: event.userAgent,
  request_id: event.requestId,
  outcome: event.outcome,
  details: event.details,
});

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

/** The API's query parameters as the audit log's filters; absent parameters stay absent. */
function toAuditQuery(
  q: SchemaType<typeof exportAuditSchema.querystring> & { limit?: number; cursor?: string },
): AuditQuery {
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
  if (q.order !== undefined) filters.order = q.order;
  return filters;
}

const queryAudit =
  (audit: AdminDeps['audit'], names: AuditNames): Handler<typeof queryAuditSchema> =>
  async (request) => {
    const page = await audit.query(toAuditQuery(request.query));
    const named = await names.resolve(page.items);
    return { items: page.items.map((event, i) => view(event, named[i]!)), next_cursor: page.nextCursor };
  };

const CSV_HEADER = [
  'id',
  'created_at',
  'actor_type',
  'actor_id',
  'actor_name',
  'action',
  'outcome',
  'target_type',
  'target_id',
  'target_name',
  'client_id',
  'client_name',
  'ip',
  'user_agent',
  'request_id',
  'details',
] as const;
const EXPORT_BATCH = 500;

/** Every page matching the filters, one after the other, as CSV rows (details as one JSON cell). */
async function* auditRows(
  audit: AdminDeps['audit'],
  names: AuditNames,
  filters: AuditQuery,
): AsyncGenerator<CsvValue[][]> {
  let cursor: string | undefined;
  do {
    const page = await audit.query({ ...filters, limit: EXPORT_BATCH, ...(cursor ? { cursor } : {}) });
    const named = await names.resolve(page.items);
    yield page.items.map((event, i) => {
      const row = { ...view(event, named[i]!), details: JSON.stringify(event.details) };
      return CSV_HEADER.map((column) => row[column]);
    });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

const exportAudit =
  (audit: AdminDeps['audit'], names: AuditNames): Handler<typeof exportAuditSchema> =>
  async (request, reply) =>
    sendCsv(
      reply,
      'audit-log.csv',
      CSV_HEADER,
      await primed(auditRows(audit, names, toAuditQuery(request.query))),
    );

const getAuditEvent =
  (audit: AdminDeps['audit'], names: AuditNames): Handler<typeof getAuditEventSchema> =>
  async (request) => {
    const event = await audit.get(request.params.id);
    if (!event) throw notFound(`no audit event with id ${request.params.id}`);
    const [named] = await names.resolve([event]);
    return view(event, named!);
  };

export function auditRoutes(app: App, { audit, db }: AdminDeps, kit: AdminKit): void {
  const read = kit.guard('admin:read');
  const names = createAuditNames(db);
  app.get('/audit', { onRequest: read, schema: queryAuditSchema }, queryAudit(audit, names));
  app.get('/audit.csv', { onRequest: read, schema: exportAuditSchema }, exportAudit(audit, names));
  app.get('/audit/:id', { onRequest: read, schema: getAuditEventSchema }, getAuditEvent(audit, names));
}
