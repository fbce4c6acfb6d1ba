import { withCookie } from '@platform/web-session';
import { type NextRequest, NextResponse } from 'next/server';
import { portalConfig } from './lib/config.ts';
import { needsRefresh, refreshSession, superseded } from './lib/session/refresh.ts';
import { cookieOptions, openSession, SESSION_COOKIE, sealSession } from './lib/session/store.ts';

// Runs before every console request (Next.js "proxy", the former middleware, on the Node.js runtime).
// Server Components cannot set cookies, so this is where the session is refreshed silently: a request whose
// access token is about to expire gets new tokens here, the new sealed cookie goes both to the browser and
// into this very request, so the page renders with fresh tokens and the user notices nothing. A request that
// brings a cookie this portal has already refreshed (an older response reached the browser last) gets the
// newer session again, so the browser never keeps a spent refresh token. A page
// opened without any session is sent to sign-in; the home page stays public (it is where sign-out lands).

const PUBLIC_PREFIXES = ['/auth/', '/api/', '/_next/', '/favicon'];

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return NextResponse.next();

  const config = portalConfig();
  let stored = await openSession(request.cookies.get(SESSION_COOKIE)?.value);
  let update: { value: string; maxAge: number } | 'clear' | null = stored ? null : 'clear';
  if (stored && (needsRefresh(stored) || superseded(stored))) {
    try {
      const refreshed = await refreshSession(stored);
      if (refreshed) {
        stored = refreshed;
        update = await sealSession(refreshed);
      } else {
        stored = null;
        update = 'clear';
      }
    } catch {
      // oauth-service unreachable: keep the session; the page reports the outage and a later request retries.
    }
  }

  const isDocument =
    request.method === 'GET' &&
    !request.headers.has('rsc') &&
    (request.headers.get('accept') ?? '').includes('text/html');
  if (!stored && isDocument && pathname !== '/') {
    const login = new URL(`${config.portalUrl}/auth/login`);
    login.searchParams.set('returnTo', `${pathname}${search}`);
    const response = NextResponse.redirect(login, 303);
    if (request.cookies.has(SESSION_COOKIE))
      response.cookies.delete({ name: SESSION_COOKIE, path: cookieOptions(config, 0).path });
    return response;
  }

  const headers = new Headers(request.headers);
  if (update !== null && (update !== 'clear' || request.cookies.has(SESSION_COOKIE))) {
    headers.set(
      'cookie',
      withCookie(headers.get('cookie'), SESSION_COOKIE, update === 'clear' ? null : update.value),
    );
  }
  const response = NextResponse.next({ request: { headers } });
  if (update === 'clear' && request.cookies.has(SESSION_COOKIE)) {
    response.cookies.delete({ name: SESSION_COOKIE, path: cookieOptions(config, 0).path });
  } else if (update && update !== 'clear') {
    response.cookies.set(SESSION_COOKIE, update.value, cookieOptions(config, update.maxAge));
  }
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
