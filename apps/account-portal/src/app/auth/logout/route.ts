import { cookieOptions, oidc } from '@platform/web-session';
import { cookies } from 'next/headers';
import { accountConfig } from '../../../lib/config.ts';
import { oidcConfiguration } from '../../../lib/session/oidc.ts';
import { openSession, SESSION_COOKIE } from '../../../lib/session/store.ts';

// Sign-out (POST only, from the console's own form: a cross-site form post carries no SameSite=Lax cookie,
// and the Origin check refuses it anyway). The refresh token is revoked at oauth-service, the cookie cleared,
// and the browser sent to the end-session endpoint with the ID token as hint: the console is first-party, so
// oauth-service ends its session without asking (ADR 0023) and comes back to the console's home page.

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const config = accountConfig();
  const origin = request.headers.get('origin');
  if (origin && origin !== new URL(config.portalUrl).origin) {
    return new Response('Cross-origin sign-out refused.', { status: 403 });
  }
  const jar = await cookies();
  const session = await openSession(jar.get(SESSION_COOKIE)?.value);
  jar.delete({ name: SESSION_COOKIE, path: cookieOptions(config, 0).path });
  const configuration = await oidcConfiguration();
  if (session?.refreshToken) {
    try {
      await oidc.tokenRevocation(configuration, session.refreshToken, { token_type_hint: 'refresh_token' });
    } catch (error) {
      console.error('account-portal: refresh token revocation failed:', (error as Error).message);
    }
  }
  const endSession = oidc.buildEndSessionUrl(configuration, {
    post_logout_redirect_uri: `${config.portalUrl}/`,
    ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
  });
  return new Response(null, {
    status: 303,
    headers: { location: endSession.href, 'cache-control': 'no-store' },
  });
}
