import {
  introspectActive,
  oidc,
  refreshDue,
  refreshSession as refreshShared,
  sessionAlive as sessionAliveShared,
} from '@platform/web-session';
import { accountConfig } from '../config.ts';
import { oidcConfiguration } from './oidc.ts';
import type { StoredSession } from './store.ts';

// Silent refresh of the account console's one token (the account API's), through the shared single-flight
// refresh of @platform/web-session.

export const needsRefresh = (session: StoredSession, now = Date.now() / 1000) => refreshDue(session, now);

async function exchange(session: StoredSession, refreshToken: string): Promise<StoredSession | null> {
  const configuration = await oidcConfiguration();
  try {
    const tokens = await oidc.refreshTokenGrant(configuration, refreshToken, {
      resource: accountConfig().accountResource,
    });
    return {
      ...session,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? refreshToken,
      idToken: tokens.id_token ?? session.idToken,
      expiresAt: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 60),
    };
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return null;
    throw error;
  }
}

/** The refreshed session, or null when the provider refuses (revoked, expired, client disabled). */
export const refreshSession = (session: StoredSession) => refreshShared(session, exchange);

/** Whether the grant behind the session still stands (the user may have revoked it on another device). */
export const sessionAlive = (session: StoredSession) =>
  sessionAliveShared(session, async (token) => introspectActive(await oidcConfiguration(), token));
