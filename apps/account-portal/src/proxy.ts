import { createSessionProxy } from '@platform/web-session/session-proxy';
import { accountConfig } from './lib/config.ts';
import { needsRefresh, refreshSession } from './lib/session/refresh.ts';
import { openSession, SESSION_COOKIE, sealSession } from './lib/session/store.ts';

// Runs before every console request: the silent refresh and the sign-in redirect of
// @platform/web-session/session-proxy (the home page stays public: sign-out lands there).

export const proxy = createSessionProxy({
  cookieName: SESSION_COOKIE,
  portalUrl: () => accountConfig().portalUrl,
  openSession,
  sealSession,
  needsRefresh: (session) => needsRefresh(session),
  refresh: (session) => refreshSession(session),
});

// Literal: Next.js reads the matcher at build time.
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
