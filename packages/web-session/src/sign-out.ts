import { cookies } from 'next/headers';
import type * as client from 'openid-client';
import { cookieOptions } from './cookies.ts';
import { oidc } from './oidc.ts';

// A console's sign-out (POST only, from the console's own form: a cross-site form post carries no
// SameSite=Lax cookie, and the Origin check refuses it anyway). The refresh token is revoked at
// oauth-service, the cookie cleared, and the browser sent to the end-session endpoint with the ID token as
// hint: the consoles are first-party, so oauth-service ends its session without asking (ADR 0023) and
// comes back to the console's home page.

export interface SignOutOptions {
  /** Names the console in its log lines. */
  app: string;
  /** The console's absolute base URL (its basePath included). */
  portalUrl: string;
  sessionCookie: string;
  openSession(
    sealed: string | undefined,
  ): Promise<{ refreshToken?: string; idToken?: string } | null | undefined>;
  oidcConfiguration(): Promise<client.Configuration>;
}

/** The `POST` handler of a console's `auth/logout` route; `options` is read on each request. */
export function signOutRoute(options: () => SignOutOptions) {
  return async function signOut(request: Request): Promise<Response> {
    const { app, portalUrl, sessionCookie, openSession, oidcConfiguration } = options();
    const origin = request.headers.get('origin');
    if (origin && origin !== new URL(portalUrl).origin) {
      return new Response('Cross-origin sign-out refused.', { status: 403 });
    }
    const jar = await cookies();
    const session = await openSession(jar.get(sessionCookie)?.value);
    jar.delete({ name: sessionCookie, path: cookieOptions({ portalUrl }, 0).path });
    const configuration = await oidcConfiguration();
    if (session?.refreshToken) {
      try {
        await oidc.tokenRevocation(configuration, session.refreshToken, { token_type_hint: 'refresh_token' });
      } catch (error) {
        console.error(`${app}: refresh token revocation failed:`, (error as Error).message);
      }
    }
    const endSession = oidc.buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: `${portalUrl}/`,
      ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
    });
    return new Response(null, {
      status: 303,
      headers: { location: endSession.href, 'cache-control': 'no-store' },
    });
  };
}
