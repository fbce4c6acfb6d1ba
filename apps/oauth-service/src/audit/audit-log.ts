import { HttpError } from '@platform/http';
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import { cleanText, redactDetails } from './redact.ts';
import type { AuditActorType, AuditLogTable, AuditOutcome } from './tables.ts';

export interface AuditEventInput {
  actorType: AuditActorType;
  actorId?: string | null;
  actorName?: string | null;
  /** Dotted lowercase name: `user.create`, `login.failure`, `refresh_token.reuse_detected`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  outcome: AuditOutcome;
  /** Context worth keeping. Secret-looking keys are dropped; never put credentials here anyway. */
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: number;
  createdAt: number;
  actorType: AuditActorType;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: { type?: AuditActorType; id?: string };
  /** Exact (`user.create`) or a prefix ending in `.*` (`user.*`, `refresh_token.*`). */
  action?: string;
  target?: { type?: string; id?: string };
  clientId?: string;
  outcome?: AuditOutcome;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** 1..500, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page (of the same order). */
  cursor?: string;
  /** By time of recording: newest first (desc, the default) or oldest first. */
  order?: 'asc' | 'desc';
}

export interface AuditPage {
  /** In the query's order, newest first by default. */
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditLog {
  /** Resolves once the event is stored. */
  record(event: AuditEventInput): Promise<void>;
  /** Writes any batched events now (on shutdown). */
  flush(): Promise<void>;
  query(filters?: AuditQuery): Promise<AuditPage>;
  get(id: number): Promise<AuditEvent | undefined>;
}

/** A bug in the code recording an event (unknown actor type, malformed action): not the client's fault. */
export class AuditEventError extends Error {
  override name = 'AuditEventError';
}

/** A bad filter or cursor from the admin API's caller. */
export class AuditQueryError extends HttpError {
  override name = 'AuditQueryError';
  constructor(field: string, message: string) {
    super({
      status: 400,
      code: 'validation_failed',
      detail: `${field}: ${message}`,
      extensions: { errors: [{ field, message }] },
    });
  }
}

const ACTOR_TYPES: ReadonlySet<string> = new Set(['user', 'client', 'system']);
const OUTCOMES: ReadonlySet<string> = new Set(['success', 'failure']);
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ACTION_PREFIX = /^([a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*)\.\*$/;
const TARGET_TYPE = /^[a-z][a-z0-9_]*$/;
/** ACTION or ACTION_PREFIX as one JSON Schema pattern, for the API's documented `action` filter. */
export const ACTION_FILTER_PATTERN = '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*\\.([a-z][a-z0-9_]*|\\*)$';
const ACTION_MAX = 64;
export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 500;

/** Column widths (see migration.ts). Free text past them is cut, not refused: an event is never lost. */
export const AUDIT_FIELD_LIMITS = {
  actorId: 255,
  actorName: 255,
  targetId: 255,
  clientId: 255,
  ip: 64,
  userAgent: 512,
  requestId: 128,
} as const;

function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new AuditEventError(`${field} must be a string`);
  const text = cleanText(value.trim(), max);
  return text === '' ? null : text;
}

function toEvent(row: Selectable<AuditLogTable>): AuditEvent {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    id: Number(row.id),
    createdAt: Number(row.created_at),
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorName: row.actor_name,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    clientId: row.client_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    outcome: row.outcome,
    details,
  };
}

// The cursor is the last id returned, in decimal: every cursor its pattern admits is a valid position (past
// the end it is an empty page), and empty means the first page.
export const AUDIT_CURSOR_PATTERN = '^\\d{0,15}$';

function encodeCursor(id: number): string {
  return String(id);
}

function decodeCursor(cursor: unknown): number {
  if (typeof cursor === 'string' && /^\d{1,15}$/.test(cursor)) return Number(cursor);
  throw new AuditQueryError('cursor', 'is not a cursor returned by this query');
}

// Times before 1970 are negative and valid bounds: they simply precede every event.
function timeBound(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new AuditQueryError(field, 'must be a time in epoch milliseconds');
}

// Lengths count characters (code points), as JSON Schema's maxLength does for the API's query strings.
function filterText(field: string, value: unknown, max = 255): string {
  if (typeof value === 'string' && value.length > 0 && [...value].length <= max) return value;
  throw new AuditQueryError(field, `must be a non-empty string of at most ${max} characters`);
}

export interface AuditLogOptions {
  now?: () => number;
  /**
   * Group commit: rows recorded within this many milliseconds are written in one multi-row insert, and each
   * `record` resolves once its row is stored. 0 (default) writes every row at once. The service uses a few
   * milliseconds so per-request events (token issue) do not each cost a statement on the hot path.
   */
  batchMs?: number;
}

const MAX_BATCH_ROWS = 200;

type Db = Kysely<OAuthSchema>;
type Row = Insertable<AuditLogTable>;

/** The row an event is stored as; throws AuditEventError on an event the code should never record. */
function toRow(event: AuditEventInput, now: () => number): Row {
  if (!ACTOR_TYPES.has(event.actorType)) throw new AuditEventError(`unknown actorType ${event.actorType}`);
  if (!OUTCOMES.has(event.outcome)) throw new AuditEventError(`unknown outcome ${event.outcome}`);
  if (typeof event.action !== 'string' || event.action.length > ACTION_MAX || !ACTION.test(event.action)) {
    throw new AuditEventError(`action must be a dotted lowercase name such as user.create`);
  }
  const targetType = event.targetType ?? null;
  if (
    targetType !== null &&
    (typeof targetType !== 'string' || !TARGET_TYPE.test(targetType) || targetType.length > 64)
  ) {
    throw new AuditEventError('targetType must be a lowercase name such as user or client');
  }
  let details: string;
  try {
    details = redactDetails(event.details);
  } catch (error) {
    throw new AuditEventError((error as Error).message);
  }
  return {
    created_at: now(),
    actor_type: event.actorType,
    actor_id: optionalText('actorId', event.actorId, AUDIT_FIELD_LIMITS.actorId),
    actor_name: optionalText('actorName', event.actorName, AUDIT_FIELD_LIMITS.actorName),
    action: event.action,
    target_type: targetType,
    target_id: optionalText('targetId', event.targetId, AUDIT_FIELD_LIMITS.targetId),
    client_id: optionalText('clientId', event.clientId, AUDIT_FIELD_LIMITS.clientId),
    ip: optionalText('ip', event.ip, AUDIT_FIELD_LIMITS.ip),
    user_agent: optionalText('userAgent', event.userAgent, AUDIT_FIELD_LIMITS.userAgent),
    request_id: optionalText('requestId', event.requestId, AUDIT_FIELD_LIMITS.requestId),
    outcome: event.outcome,
    details,
  };
}

/** Group commit (see AuditLogOptions.batchMs): `write` resolves once its row is stored. */
function createRowWriter(db: Db, batchMs: number) {
  let queue: Array<{ row: Row; resolve: () => void; reject: (error: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;

  // Batches are written one after the other: on PostgreSQL two inserts in flight on two pool connections
  // could commit out of order, and the log's ids must follow the order events were recorded in.
  let writing: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return writing;
    writing = writing.then(async () => {
      try {
        await db
          .insertInto('audit_log')
          .values(batch.map((entry) => entry.row))
          .execute();
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    });
    return writing;
  }

  function write(row: Row): Promise<void> {
    if (batchMs <= 0)
      return db
        .insertInto('audit_log')
        .values(row)
        .execute()
        .then(() => undefined);
    return new Promise((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (queue.length >= MAX_BATCH_ROWS) void flush();
      else timer ??= setTimeout(() => void flush(), batchMs);
    });
  }

  return { write, flush };
}

type AuditSelect = ReturnType<typeof selectAudit>;
const selectAudit = (db: Db) => db.selectFrom('audit_log').selectAll();

/** `action` is an exact name or a prefix ending in `.*`. */
function whereAction(query: AuditSelect, value: string): AuditSelect {
  const action = filterText('action', value, ACTION_MAX + 2);
  const prefix = ACTION_PREFIX.exec(action)?.[1];
  if (prefix !== undefined) {
    // `_` is a LIKE wildcard and occurs in action names; escape it so `refresh_token.*` is literal.
    const pattern = `${prefix.replace(/_/g, '\\_')}.%`;
    return query.where(sql<boolean>`action like ${pattern} escape '\\'`);
  }
  if (ACTION.test(action)) return query.where('action', '=', action);
  throw new AuditQueryError('action', 'must be an action name or a prefix ending in .* such as user.*');
}

function whereActor(query: AuditSelect, actor: AuditQuery['actor']): AuditSelect {
  let result = query;
  if (actor?.type !== undefined) {
    if (!ACTOR_TYPES.has(actor.type))
      throw new AuditQueryError('actor.type', 'must be user, client or system');
    result = result.where('actor_type', '=', actor.type);
  }
  if (actor?.id !== undefined) result = result.where('actor_id', '=', filterText('actor.id', actor.id));
  return result;
}

/** Every filter given, validated in the order the API documents them. */
function whereFilters(query: AuditSelect, filters: AuditQuery): AuditSelect {
  let result = whereActor(query, filters.actor);
  if (filters.action !== undefined) result = whereAction(result, filters.action);
  if (filters.target?.type !== undefined) {
    result = result.where('target_type', '=', filterText('target.type', filters.target.type, 64));
  }
  if (filters.target?.id !== undefined)
    result = result.where('target_id', '=', filterText('target.id', filters.target.id));
  if (filters.clientId !== undefined)
    result = result.where('client_id', '=', filterText('clientId', filters.clientId));
  if (filters.outcome !== undefined) {
    if (!OUTCOMES.has(filters.outcome)) throw new AuditQueryError('outcome', 'must be success or failure');
    result = result.where('outcome', '=', filters.outcome);
  }
  if (filters.from !== undefined) result = result.where('created_at', '>=', timeBound('from', filters.from));
  if (filters.to !== undefined) result = result.where('created_at', '<', timeBound('to', filters.to));
  if (filters.cursor)
    result = result.where('id', filters.order === 'asc' ? '>' : '<', decodeCursor(filters.cursor));
  return result;
}

async function queryAudit(db: Db, filters: AuditQuery): Promise<AuditPage> {
  const limit = filters.limit ?? DEFAULT_AUDIT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new AuditQueryError('limit', `must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
  }
  if (filters.order !== undefined && filters.order !== 'asc' && filters.order !== 'desc')
    throw new AuditQueryError('order', 'must be asc or desc');
  // Ids grow in the order events are recorded: they order by time, and are unique, with no tie to break.
  const rows = await whereFilters(selectAudit(db), filters)
    .orderBy('id', filters.order ?? 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toEvent);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export function createAuditLog(db: Db, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  const writer = createRowWriter(db, options.batchMs ?? 0);
  return {
    flush: writer.flush,
    async record(event) {
      await writer.write(toRow(event, now));
    },
    query: (filters = {}) => queryAudit(db, filters),
    async get(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined;
      const row = await selectAudit(db).where('id', '=', id).executeTakeFirst();
      return row && toEvent(row);
    },
  };
}
