import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import { clientUserAgent } from '../audit/forwarded.ts';

// The signed-in user calling the account API, as the guard established it, and the audit record of each
// change they make to their own account (actor and target are both the user). Kept beside the request, not
// on it, like @platform/auth keeps its state.

export interface AccountCaller {
  id: string;
  username: string;
  /** The client the token was issued to (the account console). */
  clientId: string;
  /** The sign-in session the token was issued in (its `sid` claim), when it still names one. */
  sid: string | undefined;
}

const callers = new WeakMap<FastifyRequest, AccountCaller>();

export function setCaller(request: FastifyRequest, caller: AccountCaller): void {
  callers.set(request, caller);
}

/** The caller of a guarded route; throws (a 500) on a route that forgot its guard. */
export function callerOf(request: FastifyRequest): AccountCaller {
  const caller = callers.get(request);
  if (!caller) throw new Error('account route without the account guard: no caller for this request');
  return caller;
}

export interface AccountChange {
  /** Dotted lowercase name, e.g. `user.password_change`, `session.revoke`. */
  action: string;
  outcome?: 'success' | 'failure';
  /** What changed. Never secrets. */
  details?: Record<string, unknown>;
}

export type RecordAccountChange = (request: FastifyRequest, change: AccountChange) => Promise<void>;

export function createAccountRecorder(audit: Pick<AuditLog, 'record'>): RecordAccountChange {
  return (request, change) => {
    const caller = callerOf(request);
    return audit.record({
      actorType: 'user',
      actorId: caller.id,
      actorName: caller.username,
      clientId: caller.clientId,
      ip: request.ip,
      userAgent: clientUserAgent(request),
      requestId: request.id,
      outcome: change.outcome ?? 'success',
      action: change.action,
      targetType: 'user',
      targetId: caller.id,
      ...(change.details ? { details: change.details } : {}),
    });
  };
}
