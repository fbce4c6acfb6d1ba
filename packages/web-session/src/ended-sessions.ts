import { decodeJwt } from 'jose';

// Sessions oauth-service has ended (OIDC Back-Channel Logout 1.0), as this process learned them from verified
// logout tokens: by `sid` (one sign-in session at oauth-service), or by `sub` (every session of the user
// signed in before the logout). Opening a session cookie consults it (cookies.ts), so an ended session is
// refused by every page, action and route of the console at its next request.
//
// One registry per process, kept on globalThis: Next.js bundles the proxy and the route handlers
// separately, and each bundle would otherwise hold its own copy of this module. Entries live as long as a
// session cookie can (SESSION_TTL_SECONDS); a cookie older than that no longer opens anyway.

const KEEP_SECONDS = 12 * 3600;
/** Bounds memory under a flood of (valid) logout tokens: the oldest entries go first. */
const MAX_ENTRIES = 100_000;

export interface SessionIdentity {
  /** oauth-service's session id for this client (the ID token's `sid`). */
  sid?: string | undefined;
  sub: string;
  /** Epoch seconds. */
  signedInAt: number;
}

export interface EndedSessions {
  /** Records a logout: the session `sid`, or (without a sid) every session of `sub` begun up to `at`. */
  end(logout: { sid?: string | undefined; sub?: string | undefined }, at?: number): void;
  isEnded(session: SessionIdentity): boolean;
  /** Forgets everything (tests). */
  clear(): void;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function prune(entries: Map<string, number>, now: number): void {
  for (const [key, at] of entries) {
    if (at > now - KEEP_SECONDS && entries.size <= MAX_ENTRIES) break;
    entries.delete(key);
  }
}

function createEndedSessions(): EndedSessions {
  // Insertion order is time order, so pruning stops at the first entry young enough to keep.
  const sids = new Map<string, number>();
  const subs = new Map<string, number>();
  const remember = (entries: Map<string, number>, key: string, at: number) => {
    entries.delete(key);
    entries.set(key, at);
    prune(entries, nowSeconds());
  };
  return {
    end(logout, at = nowSeconds()) {
      if (logout.sid) remember(sids, logout.sid, at);
      else if (logout.sub) remember(subs, logout.sub, at);
    },
    isEnded(session) {
      if (session.sid && sids.has(session.sid)) return true;
      const subEnded = subs.get(session.sub);
      return subEnded !== undefined && session.signedInAt <= subEnded;
    },
    clear() {
      sids.clear();
      subs.clear();
    },
  };
}

const REGISTRY = Symbol.for('@platform/web-session/ended-sessions');

/** This process's registry of ended sessions. */
export function endedSessions(): EndedSessions {
  const holder = globalThis as { [REGISTRY]?: EndedSessions };
  holder[REGISTRY] ??= createEndedSessions();
  return holder[REGISTRY];
}

/** The session's `sid`: stored at sign-in, or read from the ID token it keeps (sessions sealed earlier). */
export function sessionSidOf(session: { sid?: string; idToken?: string }): string | undefined {
  if (session.sid) return session.sid;
  if (!session.idToken) return undefined;
  try {
    const { sid } = decodeJwt(session.idToken);
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}
