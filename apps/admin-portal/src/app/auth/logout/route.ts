import { cookies } from 'next/headers';
import { portalConfig } from '../../../lib/config.ts';
import { oidc, oidcConfiguration } from '../../../lib/oidc/client.ts';
import { cookieOptions, openSession, SESSION_COOKIE } from '../../../lib/session/store.ts';

// Sign-out (POST only, from the console's own form: a cross-site form post carries no SameSite=Lax cookie,
// and the Origin check refuses it anyway). The refresh token is revoked at oauth-service, the cookie cleared,
// and the browser sent to the end-session endpoint (RP-initiated logout) to end the provider session too.

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const config = portalConfig();
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
      console.error('admin-portal: refresh token revocation failed:', (error as Error).message);
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
