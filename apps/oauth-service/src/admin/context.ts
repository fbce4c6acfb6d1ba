import type { FastifyRequest } from 'fastify';
import type { AuditEventInput, AuditLog } from '../audit/audit-log.ts';
import { clientUserAgent } from '../audit/forwarded.ts';

// Who is calling the admin API, as the guard established it, and the audit record of each change they make.
// The actor is kept beside the request (not on it), like @platform/auth keeps its state.

export interface AdminActor {
  /** `user` for a token with a user subject, `client` for a client_credentials token (sub = client_id). */
  type: 'user' | 'client';
  /** The user id or the client id. */
  id: string;
  /** The username or the client name. */
  name: string | null;
  /** The client the token was issued to. */
  clientId: string;
}

const actors = new WeakMap<FastifyRequest, AdminActor>();

export function setActor(request: FastifyRequest, actor: AdminActor): void {
  actors.set(request, actor);
}

/** The caller of a guarded route; throws (a 500) on a route that forgot its guard. */
export function actorOf(request: FastifyRequest): AdminActor {
  const actor = actors.get(request);
  if (!actor) throw new Error('admin route without the admin guard: no actor for this request');
  return actor;
}

export interface AdminChange {
  /** Dotted lowercase name, e.g. `user.create`, `client.secret_rotate`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** What changed. Never secrets: the audit log strips secret-looking keys, but do not rely on that. */
  details?: Record<string, unknown>;
}

/** The audit event for `change`, made by the request's actor, with its ip, user agent and request id. */
export function auditEventFor(request: FastifyRequest, change: AdminChange): AuditEventInput {
  const actor = actorOf(request);
  return {
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    clientId: actor.clientId,
    ip: request.ip,
    userAgent: clientUserAgent(request),
    requestId: request.id,
    outcome: 'success',
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId ?? null,
    ...(change.details ? { details: change.details } : {}),
  };
}

export type RecordChange = (request: FastifyRequest, change: AdminChange) => Promise<void>;

export function createChangeRecorder(audit: Pick<AuditLog, 'record'>): RecordChange {
  return (request, change) => audit.record(auditEventFor(request, change));
}
