import type { IncomingMessage } from 'node:http';
import { proxyTrust } from '@platform/http/proxy-trust';

// The browser's address, as the gateway saw it, for the audit records of what the user does in a console
// (the admin and account APIs record it). The gateway overwrites X-Forwarded-For with the one address it saw; only a peer in
// TRUSTED_PROXIES (the gateway) is believed, and anyone else is taken at its socket address. The header is
// rewritten to that one address before Next.js sees the request, so the pages read a value the console
// decided, never one a caller wrote.

export function createClientAddress(trustedProxies: readonly string[]) {
  const trusted = proxyTrust(trustedProxies);
  return (req: IncomingMessage): string | undefined => {
    const peer = req.socket.remoteAddress;
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .at(-1);
    return peer !== undefined && trusted(peer, 0) && last ? last : peer;
  };
}

/** Replaces the request's X-Forwarded-For by the one address the portal believes (none: removed). */
export function pinClientAddress(req: IncomingMessage, address: string | undefined): void {
  if (address) req.headers['x-forwarded-for'] = address;
  else delete req.headers['x-forwarded-for'];
}
