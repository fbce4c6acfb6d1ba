import { can } from '../../../lib/access/permissions.ts';
import { currentSession } from '../../../lib/session/current.ts';

// The Markets page's kline token, for the browser's WebSocket and REST calls to kline-service (the reasons
// are in lib/session/kline.ts and the README). What the browser gets: the kline access token only
// (audience PUBLIC_URL/kline, kline:read, minutes of lifetime), never the refresh token or the admin token.
// proxy.ts has refreshed the session when its tokens were about to expire, so the token handed out has
// at least REFRESH_MARGIN_SECONDS left. The answer is never cached, and only the console's own pages may
// ask: a cross-site request (Sec-Fetch-Site) is refused, and a cross-origin script could not read the
// answer anyway (no CORS).

export const dynamic = 'force-dynamic';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': status < 400 ? 'application/json' : 'application/problem+json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
  });

export async function GET(request: Request) {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') {
    return json(403, {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Same-origin requests only.',
    });
  }
  const session = await currentSession();
  if (!session) {
    return json(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Sign in again.' });
  }
  const kline = session.stored.kline;
  if (!kline || !can(session.permissions, 'kline:read')) {
    return json(403, {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Your roles do not include kline:read.',
    });
  }
  return json(200, { access_token: kline.accessToken, token_type: 'Bearer', expires_at: kline.expiresAt });
}
