import { headers } from 'next/headers';

// What the admin and account APIs record about an action taken in a console: the browser's address (the
// X-Forwarded-For the console's server pinned to the address it believes, client-address.ts) and the
// browser's User-Agent, rather than the console's own. oauth-service believes both only from its trusted proxies (TRUSTED_PROXIES).

export const FORWARDED_USER_AGENT_HEADER = 'x-forwarded-user-agent';

/** The browser's address and User-Agent as forwarding headers; none outside a request (nothing to forward). */
export async function browserForwardingHeaders(): Promise<Record<string, string>> {
  let incoming: Headers;
  try {
    incoming = await headers();
  } catch {
    return {};
  }
  const forwarded: Record<string, string> = {};
  const address = incoming.get('x-forwarded-for');
  const userAgent = incoming.get('user-agent');
  if (address) forwarded['x-forwarded-for'] = address;
  if (userAgent) forwarded[FORWARDED_USER_AGENT_HEADER] = userAgent;
  return forwarded;
}
