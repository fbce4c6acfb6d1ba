import type { AuditEvent, AuditLog } from '../../audit/audit-log.ts';
import type { SessionSummary } from './user-sessions.ts';

// Where a session was signed in from and when it was last used, from what the audit log already keeps: the
// sign-in (`login.success`, recorded with the browser's address and User-Agent as the gateway passed them)
// just before the session's login time, and the newest `token.issue` to one of the session's clients since.
// The provider's session rows keep neither, and a second record of every sign-in would repeat the log.

export interface SessionDevice {
  ip: string | null;
  userAgent: string | null;
  /** The newest token a client of the session got since the sign-in; null when none did. */
  lastUsedAt: number | null;
}

/** A sign-in's event precedes the session's login time (the password change page may sit between). */
const SIGN_IN_WINDOW_MS = 15 * 60_000;
/** The provider stamps the login in whole seconds, after the event was recorded. */
const LOGIN_CLOCK_SLACK_MS = 2_000;
const MAX_EVENTS = 500;

function signInOf(session: SessionSummary, signIns: AuditEvent[]): AuditEvent | undefined {
  if (session.loginAt === null) return undefined;
  const loginAt = session.loginAt;
  // Newest first: the first event at or before the login time is this session's sign-in.
  return signIns.find(
    (event) =>
      event.createdAt <= loginAt + LOGIN_CLOCK_SLACK_MS && event.createdAt >= loginAt - SIGN_IN_WINDOW_MS,
  );
}

function lastUseOf(session: SessionSummary, issued: AuditEvent[]): number | null {
  const since = (session.loginAt ?? 0) - LOGIN_CLOCK_SLACK_MS;
  const clients = new Set(session.clients);
  const newest = issued.find(
    (event) => event.createdAt >= since && event.clientId !== null && clients.has(event.clientId),
  );
  return newest?.createdAt ?? null;
}

/** The device of each session, in the same order; two audit queries for the whole list. */
export async function sessionDevices(
  audit: Pick<AuditLog, 'query'>,
  userId: string,
  sessions: SessionSummary[],
): Promise<SessionDevice[]> {
  const logins = sessions.map((s) => s.loginAt).filter((t): t is number => t !== null);
  if (logins.length === 0) return sessions.map(() => ({ ip: null, userAgent: null, lastUsedAt: null }));
  const from = Math.min(...logins) - SIGN_IN_WINDOW_MS;
  const actor = { type: 'user' as const, id: userId };
  const [signIns, issued] = await Promise.all([
    audit.query({ actor, action: 'login.success', from, limit: MAX_EVENTS }),
    audit.query({ actor, action: 'token.issue', from, limit: MAX_EVENTS }),
  ]);
  return sessions.map((session) => {
    const signIn = signInOf(session, signIns.items);
    return {
      ip: signIn?.ip ?? null,
      userAgent: signIn?.userAgent ?? null,
      lastUsedAt: lastUseOf(session, issued.items),
    };
  });
}
