import { createHash } from 'node:crypto';
import { portalConfig } from '../config.ts';
import { oidc, oidcConfiguration } from '../oidc/client.ts';
import { exchangeForKline } from './kline.ts';
import { refreshResourceTokens, resourceTokensStale } from './resource-tokens.ts';
import type { StoredSession } from './store.ts';
import { isJwt } from './tokens.ts';

// Silent refresh. Refresh tokens rotate, and presenting a rotated one again makes oauth-service revoke the
// whole grant (reuse detection), so requests racing with the same expiring session (a page and its
// prefetches) must share one refresh: they join the one in flight, and requests that still carry the old
// cookie for a short while after get its result. With several portal instances, route a session to one
// instance (sticky sessions), or the instances could race the same way.

/** Refresh this long before the access token expires, so a page never starts with a token about to lapse. */
export const REFRESH_MARGIN_SECONDS = 30;
const SHARE_RESULT_MS = 60_000;

const recent = new Map<string, { result: Promise<StoredSession | null>; until: number }>();

export const needsRefresh = (session: StoredSession, now = Date.now() / 1000) =>
  Math.min(session.expiresAt, session.kline?.expiresAt ?? Number.POSITIVE_INFINITY) - now <
    REFRESH_MARGIN_SECONDS || resourceTokensStale(session, now);

/** The refreshed session, or null when the provider refuses (revoked, expired, client disabled). */
export function refreshSession(session: StoredSession): Promise<StoredSession | null> {
  if (!session.refreshToken) return Promise.resolve(null);
  const key = createHash('sha256').update(session.refreshToken).digest('base64url');
  const now = Date.now();
  for (const [k, entry] of recent) if (entry.until < now) recent.delete(k);
  const existing = recent.get(key);
  if (existing) return existing.result;
  const result = exchange(session, session.refreshToken);
  recent.set(key, { result, until: now + SHARE_RESULT_MS });
  // A failure that is not the provider's answer (network) is not remembered: the next request retries.
  result.catch(() => recent.delete(key));
  return result;
}

async function exchange(session: StoredSession, refreshToken: string): Promise<StoredSession | null> {
  const configuration = await oidcConfiguration();
  try {
    const tokens = await oidc.refreshTokenGrant(configuration, refreshToken, {
      resource: portalConfig().adminResource,
    });
    const refreshed: StoredSession = {
      ...session,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? refreshToken,
      idToken: tokens.id_token ?? session.idToken,
      expiresAt: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 60),
    };
    // The kline token, then the other APIs' tokens (resource-tokens.ts), each with the refresh token the step
    // before rotated (lib/session/kline.ts): in sequence, never in parallel, since all use the one current
    // refresh token.
    let withKline = refreshed;
    if (session.markets && refreshed.refreshToken) {
      const kline = await exchangeForKline(configuration, refreshed.refreshToken);
      withKline = { ...refreshed, kline: kline.kline, refreshToken: kline.refreshToken };
    }
    return await refreshResourceTokens(withKline);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return null;
    throw error;
  }
}

/**
 * Whether the grant behind the session still stands (not revoked by an administrator or by sign-out): the
 * refresh token is introspected (an opaque access token when there is none; a JWT access token without a
 * refresh token can only be trusted until it expires, minutes).
 */
export async function sessionAlive(session: StoredSession): Promise<boolean> {
  const token = session.refreshToken ?? (isJwt(session.accessToken) ? null : session.accessToken);
  if (!token) return true;
  const configuration = await oidcConfiguration();
  const result = await oidc.tokenIntrospection(configuration, token);
  return result.active === true;
}
