import type { FastifyRequest } from 'fastify';

/**
 * The header a trusted proxy (the console's server, calling the admin API for a browser) names the
 * browser's User-Agent in, beside the X-Forwarded-For it names the browser's address in.
 */
export const FORWARDED_USER_AGENT_HEADER = 'x-forwarded-user-agent';

/**
 * Whether request.ip came from a trusted proxy's X-Forwarded-For: Fastify lists the socket address and then
 * each address it believed (only hop 0 is ever trusted, see @platform/http's proxyTrust), so a second entry
 * means the peer is one of TRUSTED_PROXIES and forwarded an address.
 */
function forwardedByTrustedProxy(request: FastifyRequest): boolean {
  return (request.ips?.length ?? 0) > 1;
}

/**
 * The User-Agent to record for a request: the one a trusted proxy forwarded with the client's address,
 * otherwise the caller's own. A caller outside TRUSTED_PROXIES cannot choose what is recorded beyond its
 * own User-Agent, which it chooses anyway.
 */
export function clientUserAgent(request: FastifyRequest): string | null {
  const own = request.headers['user-agent'] ?? null;
  if (!forwardedByTrustedProxy(request)) return own;
  const forwarded = request.headers[FORWARDED_USER_AGENT_HEADER];
  return typeof forwarded === 'string' && forwarded.trim() !== '' ? forwarded : own;
}
