import { browserForwardingHeaders } from '@platform/web-session/forwarded';
import { type ApiClient, createApiClient, type Method, type Query, urlOf } from '../api/client.ts';
import { portalConfig } from '../config.ts';
import type { CurrentSession } from '../session/current.ts';

// Server-side calls to the admin API with the user's own access token (oauth-service re-checks the user's
// roles on every call). Internal URL: the token never travels through the browser.

export interface AdminApi {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<T>;
  /** The raw answer of a GET, to stream on (a CSV export): status and body are the caller's to handle. */
  download(path: string, query: Query, accept: string, signal: AbortSignal): Promise<Response>;
}

export function adminApi(session: CurrentSession): AdminApi {
  const client: ApiClient = createApiClient({
    baseUrl: `${portalConfig().internalOAuthUrl}/api/admin`,
    token: () => session.stored.accessToken,
    describeStatus: (status) => `The admin API answered ${status}.`,
    timeoutMs: 15_000,
  });
  // Audit records of the operator's actions name the browser, not the portal (see forwarded.ts).
  return {
    get: async (path, query) =>
      client.request('GET', path, { headers: await browserForwardingHeaders(), ...(query ? { query } : {}) }),
    send: async (method, path, body) =>
      client.request(method, path, {
        headers: await browserForwardingHeaders(),
        ...(body === undefined ? {} : { body }),
      }),
    download: (path, query, accept, signal) => client.raw(urlOf('', path, query), { accept }, signal),
  };
}
