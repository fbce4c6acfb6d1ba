import type { FastifyInstance } from 'fastify';
import { clientUserAgent, FORWARDED_USER_AGENT_HEADER } from '../audit/forwarded.ts';

// oidc-provider is a Koa app run with `proxy = true`: it builds every absolute URL it emits (discovery,
// endpoints, redirects, the device verification URI, logout pages) from X-Forwarded-Proto/-Host, and takes
// the client's address (audit rows, events) from X-Forwarded-For. Those headers are therefore rewritten on
// every request before any handler runs (the provider's routes, and the interaction routes that hand it
// their raw request): proto and host become PUBLIC_URL's, the address becomes request.ip, which
// @platform/http takes from X-Forwarded-For only when the peer is one of TRUSTED_PROXIES, and
// X-Forwarded-User-Agent becomes the User-Agent to record (a trusted proxy's forwarded one, else the
// caller's). Nothing a client sends in these headers, nor its Host, reaches the provider.

const REPLACED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'] as const;

export interface ForwardedHeaders {
  'x-forwarded-for': string;
  'x-forwarded-proto': string;
  'x-forwarded-host': string;
}

interface PublicOrigin {
  proto: string;
  host: string;
}

function publicOrigin(publicUrl: string): PublicOrigin {
  const { protocol, host } = new URL(publicUrl);
  return { proto: protocol.slice(0, -1), host };
}

function headersFor(origin: PublicOrigin, clientIp: string): ForwardedHeaders {
  return { 'x-forwarded-for': clientIp, 'x-forwarded-proto': origin.proto, 'x-forwarded-host': origin.host };
}

/** The forwarding headers the provider is given for a request from `clientIp` to the platform at `publicUrl`. */
export function pinnedForwardedHeaders(publicUrl: string, clientIp: string): ForwardedHeaders {
  return headersFor(publicOrigin(publicUrl), clientIp);
}

/** Registers the rewrite as the app's first onRequest hook; call it before any route is declared. */
export function pinForwardedHeaders(app: FastifyInstance, publicUrl: string): void {
  // PUBLIC_URL is fixed for the life of the app: parsed once, not on every request.
  const origin = publicOrigin(publicUrl);
  app.addHook('onRequest', (request, _reply, done) => {
    // Read before the rewrite: request.ip is computed from the headers as they arrived.
    const pinned = headersFor(origin, request.ip);
    const headers = request.raw.headers;
    const userAgent = clientUserAgent(request);
    for (const name of REPLACED) delete headers[name];
    Object.assign(headers, pinned);
    // The User-Agent the provider's events record: a trusted proxy's forwarded one, else the caller's own.
    if (userAgent === null) delete headers[FORWARDED_USER_AGENT_HEADER];
    else headers[FORWARDED_USER_AGENT_HEADER] = userAgent;
    done();
  });
}
