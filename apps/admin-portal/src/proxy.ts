import { createSessionProxy } from '@platform/web-session/session-proxy';
import { portalConfig } from './lib/config.ts';
import { needsRefresh, refreshSession } from './lib/session/refresh.ts';
import { openSession, SESSION_COOKIE, sealSession } from './lib/session/store.ts';

// Runs before every console request: the silent refresh and the sign-in redirect of
// @platform/web-session/session-proxy, with the admin console's session (its kline and flow tokens count
// toward "due for refresh").

export const proxy = createSessionProxy({
  cookieName: SESSION_COOKIE,
  portalUrl: () => portalConfig().portalUrl,
  openSession,
  sealSession,
  needsRefresh: (session) => needsRefresh(session),
  refresh: (session) => refreshSession(session),
});

// Literal: Next.js reads the matcher at build time.
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
