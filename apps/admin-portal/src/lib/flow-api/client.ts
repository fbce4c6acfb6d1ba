import { type ApiClient, createApiClient, type Query } from '../api/client.ts';
import { ApiError } from '../api/problem.ts';
import { portalConfig } from '../config.ts';
import type { CurrentSession } from '../session/current.ts';

// Server-side calls to flow-service with the user's flow-audience access token (lib/session/
// resource-tokens.ts), on flow-service's internal URL: the token never reaches the browser. flow-service
// checks the token's scopes on every call.

export interface FlowApi {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** POST of YAML text (a definition as its author wrote it). */
  postYaml<T>(path: string, source: string): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** The raw response of a streaming GET (the run's SSE), for the portal's stream route. */
  stream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response>;
}

/** The session's flow token, or null when the user holds no flow scope. */
export const flowToken = (session: CurrentSession) => session.stored.resources?.flow?.accessToken ?? null;

export function flowApi(session: CurrentSession): FlowApi {
  const token = flowToken(session);
  const client: ApiClient = createApiClient({
    baseUrl: `${portalConfig().flow.url}/flow/api/v1`,
    token: () => {
      if (!token) throw new ApiError(403, { detail: 'Your session holds no workflow permission.' });
      return token;
    },
    describeStatus: (status) => `flow-service answered ${status}.`,
    unreachable: 'flow-service did not answer. Try again in a moment.',
    timeoutMs: 15_000,
  });
  return {
    get: (path, query) => client.request('GET', path, query ? { query } : {}),
    post: (path, body, headers) =>
      client.request('POST', path, { body: body ?? {}, ...(headers ? { headers } : {}) }),
    postYaml: (path, source) =>
      client.request('POST', path, { text: { content: source, type: 'application/yaml' } }),
    patch: (path, body) => client.request('PATCH', path, { body }),
    delete: (path) => client.request('DELETE', path),
    stream: (path, headers, signal) => client.raw(path, { accept: 'text/event-stream', ...headers }, signal),
  };
}
