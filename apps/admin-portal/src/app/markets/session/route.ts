import { klineAccess } from '../../../lib/markets/relay-access.ts';

// The Markets page asks here before it (re)opens its live connection: 204 while the session holds a kline
// token with kline:read, 401/403 otherwise. Asking also lets proxy.ts refresh the session's tokens first, so
// the WebSocket relay (src/server.ts) finds a fresh kline token in the cookie. No token is ever returned:
// the browser reaches kline-service only through the portal (./api and /admin/markets/ws).

export const dynamic = 'force-dynamic';

export async function GET() {
  const access = await klineAccess();
  if ('refusal' in access) return access.refusal;
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}
