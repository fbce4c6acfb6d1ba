import {
  type AccessTokenVerifier,
  cookieOptions,
  createAccessTokenVerifier,
  type SessionUser,
} from '@platform/web-session';
import { cookies } from 'next/headers';
import { unauthorized } from 'next/navigation';
import { cache } from 'react';
import { accountConfig } from '../config.ts';
import { sessionAlive } from './refresh.ts';
import { openSession, SESSION_COOKIE, type StoredSession, sealSession } from './store.ts';

// The server-side session check every page and action runs (proxy.ts has already refreshed the token when it
// was about to expire). A session counts only when its cookie opens, the access token verifies for the
// account API (signature, issuer, audience, type, expiry) with the `account` scope and the same user, and the
// grant behind it is still active at oauth-service: a session ended from another device (or by an
// administrator) ends here at the next request.

let verifier: AccessTokenVerifier | undefined;

function verifyAccessToken(token: string) {
  if (!verifier) {
    const config = accountConfig();
    verifier = createAccessTokenVerifier({
      issuer: config.issuer,
      audience: config.accountResource,
      jwksUrl: `${config.internalOAuthUrl}/oauth/jwks`,
    });
  }
  return verifier(token);
}

/** Whether the token is a valid account API token of `sub` carrying the `account` scope. */
export async function accountTokenOf(sub: string, token: string): Promise<boolean> {
  try {
    const verified = await verifyAccessToken(token);
    return verified.sub === sub && verified.permissions.has('account');
  } catch {
    return false;
  }
}

async function load(): Promise<StoredSession | null> {
  const stored = await openSession((await cookies()).get(SESSION_COOKIE)?.value);
  if (!stored || stored.expiresAt <= Date.now() / 1000) return null;
  if (!(await accountTokenOf(stored.user.sub, stored.accessToken))) return null;
  if (!(await sessionAlive(stored))) return null;
  return stored;
}

/** The signed-in user's session for this request (checked once per request), or null. */
export const currentSession = cache(load);

/** The session, or the 401 page (with a sign-in link). */
export async function requireSession(): Promise<StoredSession> {
  const session = await currentSession();
  if (!session) unauthorized();
  return session;
}

/**
 * Keeps the session's copy of the user current after they changed it (the header shows it; the ID token
 * that first filled it is not asked again until the next sign-in). Server actions only: pages cannot set
 * cookies.
 */
export async function rememberUser(session: StoredSession, user: Partial<SessionUser>): Promise<void> {
  const sealed = await sealSession({ ...session, user: { ...session.user, ...user } });
  (await cookies()).set(SESSION_COOKIE, sealed.value, cookieOptions(accountConfig(), sealed.maxAge));
}
