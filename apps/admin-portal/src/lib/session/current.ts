import { cookies } from 'next/headers';
import { forbidden, unauthorized } from 'next/navigation';
import { cache } from 'react';
import { can, type Permission } from '../access/permissions.ts';
import { klinePermissions } from './kline.ts';
import { sessionAlive } from './refresh.ts';
import { resourcePermissions } from './resource-tokens.ts';
import { openSession, SESSION_COOKIE, type SessionUser, type StoredSession } from './store.ts';
import { isJwt, verifyAccessToken } from './tokens.ts';

// The server-side session check every page and action runs (proxy.ts has already refreshed the tokens when
// they were about to expire). A session counts only when its cookie opens, the access token verifies against
// the token issuer's keys, and the grant behind it is still active at oauth-service: an administrator revoking the
// user's sessions or grants ends the portal session at the next request, not when the token expires.

export interface CurrentSession {
  user: SessionUser;
  permissions: ReadonlySet<string>;
  stored: StoredSession;
}

async function load(): Promise<CurrentSession | null> {
  const stored = await openSession((await cookies()).get(SESSION_COOKIE)?.value);
  if (!stored || stored.expiresAt <= Date.now() / 1000) return null;
  let permissions: ReadonlySet<string> = new Set();
  // A user none of whose roles allows an admin scope gets an opaque token (no admin audience): signed in,
  // allowed nothing here.
  if (isJwt(stored.accessToken)) {
    try {
      const verified = await verifyAccessToken(stored.accessToken);
      if (verified.sub !== stored.user.sub) return null;
      permissions = verified.permissions;
    } catch {
      return null;
    }
  }
  if (!(await sessionAlive(stored))) return null;
  // Markets: the kline token's scopes (kline:read when the user's roles allowed it at sign-in).
  const kline = await klinePermissions(stored);
  if (kline.size) permissions = new Set([...permissions, ...kline]);
  // The other APIs' scopes (flow:*) come from their own verified tokens.
  const extra = await resourcePermissions(stored);
  if (extra.size) permissions = new Set([...permissions, ...extra]);
  return { user: stored.user, permissions, stored };
}

/** The signed-in user's session for this request (checked once per request), or null. */
export const currentSession = cache(load);

/** The session, or the 401 page (with a sign-in link). */
export async function requireSession(): Promise<CurrentSession> {
  const session = await currentSession();
  if (!session) unauthorized();
  return session;
}

/** The session of a user holding `permission`, or the 401/403 page. */
export async function requirePermission(permission: Permission): Promise<CurrentSession> {
  const session = await requireSession();
  if (!can(session.permissions, permission)) forbidden();
  return session;
}
