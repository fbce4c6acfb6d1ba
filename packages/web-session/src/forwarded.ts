import { AsyncLocalStorage } from 'node:async_hooks';

// What the admin and account APIs and oauth-service's token events record about an action taken in a
// console: the browser's address (the X-Forwarded-For the console's server pinned to the address it
// believes, client-address.ts) and the browser's User-Agent, rather than the console's own. oauth-service
// believes both only from its trusted proxies (TRUSTED_PROXIES).

export const FORWARDED_USER_AGENT_HEADER = 'x-forwarded-user-agent';

/** The browser a piece of work outside a page or route handler acts for (the session proxy's refresh). */
const actingFor = new AsyncLocalStorage<Record<string, string>>();

/** The forwarding headers naming the browser of the incoming request `incoming`. */
export function forwardingHeadersOf(incoming: Headers): Record<string, string> {
  const forwarded: Record<string, string> = {};
  const address = incoming.get('x-forwarded-for');
  const userAgent = incoming.get('user-agent');
  if (address) forwarded['x-forwarded-for'] = address;
  if (userAgent) forwarded[FORWARDED_USER_AGENT_HEADER] = userAgent;
  return forwarded;
}

/** Runs `work` on behalf of the browser that sent `incoming`: its calls forward that browser. */
export function actingForBrowser<T>(incoming: Headers, work: () => Promise<T>): Promise<T> {
  return actingFor.run(forwardingHeadersOf(incoming), work);
}

/**
 * The browser's address and User-Agent as forwarding headers: the browser set by actingForBrowser, else the
 * current request's; none outside a request (nothing to forward).
 */
export async function browserForwardingHeaders(): Promise<Record<string, string>> {
  const pinned = actingFor.getStore();
  if (pinned) return pinned;
  try {
    // Loaded on use: the consoles' own servers (src/server.ts) load this module in plain Node, where
    // next/headers exists only inside Next.js's bundles.
    const { headers } = await import('next/headers');
    return forwardingHeadersOf(await headers());
  } catch {
    return {};
  }
}
