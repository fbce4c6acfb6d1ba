import { can } from '../../../../lib/access/permissions.ts';
import { portalConfig } from '../../../../lib/config.ts';
import { currentSession } from '../../../../lib/session/current.ts';

// The Markets page's REST calls, relayed to kline-service on the internal network with the session's kline
// token (audience PUBLIC_URL/kline, kline:read): the token stays on the server, the browser sends only its
// session cookie, same origin. Only the two read endpoints the page uses are relayed.

export const dynamic = 'force-dynamic';

const RELAYED = new Set(['symbols', 'klines']);

const problem = (status: number, title: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });

export async function GET(request: Request, context: { params: Promise<{ path: string[] }> }) {
  const { path } = await context.params;
  if (path.length !== 1 || !RELAYED.has(path[0]!)) return problem(404, 'Not Found', 'No such Markets API.');
  const session = await currentSession();
  if (!session) return problem(401, 'Unauthorized', 'Sign in again.');
  const kline = session.stored.kline;
  if (!kline || !can(session.permissions, 'kline:read'))
    return problem(403, 'Forbidden', 'Your roles do not include kline:read.');
  const search = new URL(request.url).search;
  const upstream = await fetch(`${portalConfig().klineApiUrl}/kline/api/v1/${path[0]}${search}`, {
    headers: { authorization: `Bearer ${kline.accessToken}`, accept: 'application/json' },
    cache: 'no-store',
  }).catch(() => null);
  if (!upstream) return problem(502, 'Bad Gateway', 'kline-service did not answer.');
  return new Response(await upstream.text(), {
    status: upstream.status,
    headers: {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    },
  });
}
