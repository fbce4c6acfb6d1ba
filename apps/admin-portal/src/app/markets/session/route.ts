import { can } from '../../../lib/access/permissions.ts';
import { currentSession } from '../../../lib/session/current.ts';

// The Markets page asks here before it (re)opens its live connection: 204 while the session holds a kline
// token with kline:read, 401/403 otherwise. Asking also lets proxy.ts refresh the session's tokens first, so
// the WebSocket relay (src/server.ts) finds a fresh kline token in the cookie. No token is ever returned:
// the browser reaches kline-service only through the portal (./api and /admin/markets/ws).

export const dynamic = 'force-dynamic';

const problem = (status: number, title: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });

export async function GET() {
  const session = await currentSession();
  if (!session) return problem(401, 'Unauthorized', 'Sign in again.');
  if (!session.stored.kline || !can(session.permissions, 'kline:read'))
    return problem(403, 'Forbidden', 'Your roles do not include kline:read.');
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}
