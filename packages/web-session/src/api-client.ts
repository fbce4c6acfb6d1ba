import { ApiError, parseProblem } from './problem.ts';

// A console's HTTP client for the platform's JSON APIs, on the server (with the session's bearer token, on a
// service's internal URL: the token never reaches the browser) and in the browser (through the console's own
// relays, with the session cookie). Failures become an ApiError carrying the problem details.

export type Query = Record<string, string | number | undefined>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiClientOptions {
  /** Prefix of every path: absolute (server) or relative to the page (browser). */
  baseUrl: string;
  /** The bearer token; throw an ApiError to refuse the call before it is sent. None: no Authorization. */
  token?: () => string;
  /** The message for a failure whose problem says nothing readable. */
  describeStatus: (status: number) => string;
  /** The ApiError (status 503) for a service that did not answer; unset, the fetch error propagates. */
  unreachable?: string;
  /** Browser calls send the session cookie (`same-origin`). */
  credentials?: RequestCredentials;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A body sent as it is (e.g. YAML) with its media type, instead of `body` as JSON. */
  text?: { content: string; type: string };
  headers?: Record<string, string>;
}

export interface ApiClient {
  /** The parsed JSON answer (undefined for an empty one); an ApiError when the status is not 2xx. */
  request<T>(method: Method, path: string, options?: RequestOptions): Promise<T>;
  /** The raw response of a GET (for streams): authorization added, status left to the caller. */
  raw(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response>;
}

export function urlOf(baseUrl: string, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? fetch;
  const authorization = (): Record<string, string> =>
    options.token ? { authorization: `Bearer ${options.token()}` } : {};

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchImpl(url, init);
    } catch (error) {
      if (error instanceof ApiError || options.unreachable === undefined) throw error;
      throw new ApiError(503, { detail: options.unreachable });
    }
  }

  async function request<T>(
    method: Method,
    path: string,
    { query, body, text, headers }: RequestOptions = {},
  ) {
    const payload =
      text ?? (body === undefined ? undefined : { type: 'application/json', content: JSON.stringify(body) });
    const response = await send(urlOf(options.baseUrl, path, query), {
      method,
      headers: {
        ...authorization(),
        accept: 'application/json',
        ...(payload ? { 'content-type': payload.type } : {}),
        ...headers,
      },
      ...(payload ? { body: payload.content } : {}),
      cache: 'no-store',
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.timeoutMs ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
    });
    const answer = await response.text();
    if (!response.ok)
      throw new ApiError(response.status, parseProblem(answer), options.describeStatus(response.status));
    return (answer ? JSON.parse(answer) : undefined) as T;
  }

  return {
    request,
    raw: async (path, headers, signal) =>
      send(urlOf(options.baseUrl, path), {
        headers: { ...authorization(), ...headers },
        cache: 'no-store',
        signal,
      }),
  };
}

/** A path segment from a value (an id, a name): encoded so it stays one segment. */
export const segment = (value: string) => encodeURIComponent(value);
