import {
  introspectActive,
  refreshSession as refreshShared,
  sessionAlive as sessionAliveShared,
  superseded,
} from '@platform/web-session';
import { portalConfig } from '../config.ts';
import { oidc, oidcConfiguration } from '../oidc/client.ts';
import { exchangeForKline } from './kline.ts';
import { refreshResourceTokens, resourceTokensStale } from './resource-tokens.ts';
import type { StoredSession } from './store.ts';
import { refreshDue } from './tokens.ts';

// Silent refresh of the admin console's session: the shared single-flight refresh (@platform/web-session,
// which explains why racing requests must share one), with the console's own exchange (the admin API token,
// then the kline and other resources' tokens, one after the other).

export { superseded };

export const needsRefresh = (session: StoredSession, now = Date.now() / 1000) =>
  refreshDue(session, now) ||
  (session.kline !== undefined && refreshDue(session.kline, now)) ||
  resourceTokensStale(session, now);

type Exchange = (session: StoredSession, refreshToken: string) => Promise<StoredSession | null>;

/** The refreshed session, or null when the provider refuses (revoked, expired, client disabled). */
export const refreshSession = (session: StoredSession, exchangeTokens: Exchange = exchange) =>
  refreshShared(session, exchangeTokens);

/** Whether the grant behind the session still stands (@platform/web-session's sessionAlive). */
export const sessionAlive = (session: StoredSession) =>
  sessionAliveShared(session, async (token) => introspectActive(await oidcConfiguration(), token));

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
