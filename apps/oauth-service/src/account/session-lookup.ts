import type { ProviderPayloadsRepository } from '../admin/sessions/provider-payloads.repository.ts';
import type { UserSessions } from '../admin/sessions/user-sessions.ts';

// The account console knows its sign-in session by the `sid` claim of its ID token. The provider gives each
// client of a session a `sid` of its own (kept in the session's `authorizations`), so the session is the one
// whose authorizations hold that sid; the API names sessions by their uid, as the admin API does.

interface SessionPayload {
  accountId?: string;
  uid?: string;
  authorizations?: Record<string, { sid?: string }>;
}

/** The uid of the user's live session that issued `sid`, or undefined (unknown, ended, or not theirs). */
export async function sessionOfSid(
  payloads: ProviderPayloadsRepository,
  userId: string,
  sid: string,
): Promise<string | undefined> {
  const rows = await payloads.live<SessionPayload>('Session', { name: 'accountId', value: userId });
  const row = rows.find((candidate) =>
    Object.values(candidate.payload.authorizations ?? {}).some((entry) => entry.sid === sid),
  );
  return typeof row?.payload.uid === 'string' ? row.payload.uid : undefined;
}

/** Ends the user's sign-in sessions but the one with uid `keep`; returns how many ended. */
export async function endSessionsExcept(
  sessions: Pick<UserSessions, 'listSessions' | 'revokeSessions'>,
  userId: string,
  keep: string | undefined,
): Promise<number> {
  let ended = 0;
  for (const session of await sessions.listSessions(userId)) {
    if (session.id !== keep) ended += await sessions.revokeSessions(userId, session.id);
  }
  return ended;
}
