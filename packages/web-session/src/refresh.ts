import { createHash } from 'node:crypto';
import type { BaseSession } from './cookies.ts';
import { isJwt } from './tokens.ts';

// Silent refresh, shared by the requests of one browser. Refresh tokens rotate, and presenting a rotated one
// again makes oauth-service revoke the whole grant (reuse detection), so requests racing with the same
// expiring session (a page and its prefetches) must share one refresh: they join the one in flight, and
// requests that still carry the old cookie for a short while after get its result. With several instances
// of a console, route a session to one instance (sticky sessions), or the instances could race the same way.

const SHARE_RESULT_MS = 60_000;
const recent = new Map<string, { result: Promise<BaseSession | null>; until: number }>();

const keyOf = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('base64url');

/** The console's token exchange: the refreshed session, or null when the provider refuses. */
export type RefreshExchange<S extends BaseSession> = (session: S, refreshToken: string) => Promise<S | null>;

/**
 * Whether this process refreshed the session's refresh token within SHARE_RESULT_MS: the cookie that came
 * with the request is older than one already handed out (responses can reach the browser out of order), and
 * refreshSession gives the newer session back without asking oauth-service, so the browser gets it too.
 */
export function superseded(session: BaseSession): boolean {
  return !!session.refreshToken && recentRefresh(session.refreshToken) !== undefined;
}

/** This process's refresh of `refreshToken`, if it made one within SHARE_RESULT_MS. */
function recentRefresh(refreshToken: string) {
  const entry = recent.get(keyOf(refreshToken));
  return entry && entry.until >= Date.now() ? entry : undefined;
}

/** The refreshed session, or null when the provider refuses (revoked, expired, client disabled). */
export function refreshSession<S extends BaseSession>(
  session: S,
  exchangeTokens: RefreshExchange<S>,
): Promise<S | null> {
  if (!session.refreshToken) return Promise.resolve(null);
  const key = keyOf(session.refreshToken);
  const now = Date.now();
  for (const [k, entry] of recent) if (entry.until < now) recent.delete(k);
  const existing = recent.get(key);
  if (existing) return existing.result as Promise<S | null>;
  const result = exchangeTokens(session, session.refreshToken);
  recent.set(key, { result, until: now + SHARE_RESULT_MS });
  // A failure that is not the provider's answer (network) is not remembered: the next request retries.
  result.catch(() => recent.delete(key));
  return result;
}

/**
 * Whether the grant behind the session still stands (not revoked by an administrator, by the user in the
 * account console, or by sign-out): the refresh token is introspected (an opaque access token when there is
 * none; a JWT access token without a refresh token can only be trusted until it expires, minutes).
 */
export async function sessionAlive(
  session: BaseSession,
  introspect: (token: string) => Promise<boolean>,
  hops = 0,
): Promise<boolean> {
  const token = session.refreshToken ?? (isJwt(session.accessToken) ? null : session.accessToken);
  if (!token) return true;
  // A request that began with the session a concurrent request of the same browser has just refreshed holds
  // a refresh token that rotation spent: oauth-service calls it inactive, yet the grant stands. So a refresh
  // token this process rotated is not asked about; its successor is (null: the refresh was refused). The same
  // holds when the rotation happened while the question was in flight, hence the second look after "inactive".
  const successor = async () => {
    const next = session.refreshToken ? await rotatedTo(session.refreshToken) : undefined;
    if (next === undefined || hops >= MAX_ROTATION_HOPS) return undefined;
    return next !== null && sessionAlive(next, introspect, hops + 1);
  };
  const known = await successor();
  if (known !== undefined) return known;
  if (await introspect(token)) return true;
  return (await successor()) ?? false;
}

/** A chain of rotations longer than this within SHARE_RESULT_MS is not followed further. */
const MAX_ROTATION_HOPS = 8;

/**
 * What this process's refresh of `refreshToken` gave, if it refreshed it within SHARE_RESULT_MS: the new
 * session, or null when oauth-service refused; undefined when it did not refresh it (or could not reach
 * oauth-service, in which case the token may still be unspent).
 */
async function rotatedTo(refreshToken: string): Promise<BaseSession | null | undefined> {
  return recentRefresh(refreshToken)?.result.catch(() => undefined);
}
