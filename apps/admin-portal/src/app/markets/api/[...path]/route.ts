import { portalConfig } from '../../../../lib/config.ts';
import { problemResponse } from '../../../../lib/http/problem.ts';
import { klineAccess } from '../../../../lib/markets/relay-access.ts';

// The Markets page's REST calls, relayed to kline-service on the internal network with the session's kline
// token (audience PUBLIC_URL/kline, kline:read): the token stays on the server, the browser sends only its
// session cookie, same origin. Only the two read endpoints the page uses are relayed.

export const dynamic = 'force-dynamic';

const RELAYED = new Set(['symbols', 'klines']);

export async function GET(request: Request, context: { params: Promise<{ path: string[] }> }) {
  const { path } = await context.params;
  if (path.length !== 1 || !RELAYED.has(path[0]!))
    return problemResponse(404, 'Not Found', 'No such Markets API.');
  const access = await klineAccess();
  if ('refusal' in access) return access.refusal;
  const search = new URL(request.url).search;
  const upstream = await fetch(`${portalConfig().klineApiUrl}/kline/api/v1/${path[0]}${search}`, {
    headers: { authorization: `Bearer ${access.token}`, accept: 'application/json' },
    cache: 'no-store',
  }).catch(() => null);
  if (!upstream) return problemResponse(502, 'Bad Gateway', 'kline-service did not answer.');
  return new Response(await upstream.text(), {
    status: upstream.status,
    headers: {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    },
  });
}
