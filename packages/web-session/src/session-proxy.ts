import { type NextRequest, NextResponse } from 'next/server';
import { type BaseSession, cookieOptions, withCookie } from './cookies.ts';
import { actingForBrowser } from './forwarded.ts';
import { superseded } from './refresh.ts';

// A console's Next.js "proxy" (the former middleware, on the Node.js runtime), run before every request.
// Server Components cannot set cookies, so this is where the session is refreshed silently: a request whose
// access token is about to expire gets new tokens here, the new sealed cookie goes both to the browser and
// into this very request, so the page renders with fresh tokens and the user notices nothing. A request that
// brings a cookie this process has already refreshed (an older response reached the browser last) gets the
// newer session again, so the browser never keeps a spent refresh token. A page opened without any session
// is sent to sign-in; the home page stays public (it is where sign-out lands).

const PUBLIC_PREFIXES = ['/auth/', '/api/', '/_next/', '/favicon'];

export interface SessionProxyOptions<S extends BaseSession> {
  cookieName: string;
  /** The console's public base URL (cookie path, sign-in redirect). */
  portalUrl(): string;
  openSession(value: string | undefined): Promise<S | null>;
  sealSession(session: S): Promise<{ value: string; maxAge: number }>;
  /** Whether any of the session's tokens is due for refresh. */
  needsRefresh(session: S): boolean;
  /** The refreshed session (null: the provider refused); shared between racing requests (refresh.ts). */
  refresh(session: S): Promise<S | null>;
}

type Update = { value: string; maxAge: number } | 'clear' | null;

/** The session after refreshing it when due: what the request continues with, and the cookie change. */
async function refreshed<S extends BaseSession>(
  options: SessionProxyOptions<S>,
  value: string | undefined,
): Promise<{ stored: S | null; update: Update }> {
  const stored = await options.openSession(value);
  if (!stored) return { stored: null, update: 'clear' };
  if (!options.needsRefresh(stored) && !superseded(stored)) return { stored, update: null };
  try {
    const next = await options.refresh(stored);
    return next
      ? { stored: next, update: await options.sealSession(next) }
      : { stored: null, update: 'clear' };
  } catch {
    // oauth-service unreachable: keep the session; the page reports the outage and a later request retries.
    return { stored, update: null };
  }
}

export function createSessionProxy<S extends BaseSession>(options: SessionProxyOptions<S>) {
  const { cookieName } = options;
  return async function proxy(request: NextRequest) {
    const { pathname, search } = request.nextUrl;
    if (PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return NextResponse.next();
    const portalUrl = options.portalUrl();
    const path = cookieOptions({ portalUrl }, 0).path;
    const hadCookie = request.cookies.has(cookieName);
    // The refresh is the browser's doing: oauth-service records its address and User-Agent, not ours.
    const { stored, update } = await actingForBrowser(request.headers, () =>
      refreshed(options, request.cookies.get(cookieName)?.value),
    );
    const isDocument =
      request.method === 'GET' &&
      !request.headers.has('rsc') &&
      (request.headers.get('accept') ?? '').includes('text/html');
    if (!stored && isDocument && pathname !== '/') {
      const login = new URL(`${portalUrl}/auth/login`);
      login.searchParams.set('returnTo', `${pathname}${search}`);
      const response = NextResponse.redirect(login, 303);
      if (hadCookie) response.cookies.delete({ name: cookieName, path });
      return response;
    }
    const headers = new Headers(request.headers);
    if (update !== null && (update !== 'clear' || hadCookie)) {
      const value = update === 'clear' ? null : update.value;
      headers.set('cookie', withCookie(headers.get('cookie'), cookieName, value));
    }
    const response = NextResponse.next({ request: { headers } });
    if (update === 'clear' && hadCookie) {
      response.cookies.delete({ name: cookieName, path });
    } else if (update && update !== 'clear') {
      response.cookies.set(cookieName, update.value, cookieOptions({ portalUrl }, update.maxAge));
    }
    return response;
  };
}
