import { forbidden, notFound, unauthorized } from 'next/navigation';
import { portalConfig } from '../config.ts';
import type { CurrentSession } from '../session/current.ts';

// Server-side calls to flow-service with the user's flow-audience access token (lib/session/
// resource-tokens.ts), on flow-service's internal URL: the token never reaches the browser. flow-service
// checks the token's scopes on every call.

export class FlowApiError extends Error {
  readonly status: number;
  readonly fieldErrors: Record<string, string>;
  constructor(status: number, problem: { title?: string; detail?: string; errors?: unknown }) {
    super(problem.detail ?? problem.title ?? `flow-service answered ${status}.`);
    this.name = 'FlowApiError';
    this.status = status;
    this.fieldErrors = {};
    if (Array.isArray(problem.errors)) {
      for (const issue of problem.errors as Array<{ path?: string; message?: string }>) {
        if (issue?.message) this.fieldErrors[issue.path || '/'] ??= issue.message;
      }
    }
  }
}

type Query = Record<string, string | number | undefined>;

export interface FlowApi {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** The raw response of a streaming GET (the run's SSE), for the portal's stream route. */
  stream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response>;
}

/** The session's flow token, or null when the user holds no flow scope. */
export const flowToken = (session: CurrentSession) => session.stored.resources?.flow?.accessToken ?? null;

export function flowApi(session: CurrentSession): FlowApi {
  const base = `${portalConfig().flow.url}/flow/api/v1`;
  const token = flowToken(session);
  const authorization = () => {
    if (!token) throw new FlowApiError(403, { detail: 'Your session holds no workflow permission.' });
    return `Bearer ${token}`;
  };
  async function call<T>(method: string, path: string, body?: unknown, query?: Query, extra = {}) {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: authorization(),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...extra,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      if (error instanceof FlowApiError) throw error;
      throw new FlowApiError(503, { detail: 'flow-service did not answer. Try again in a moment.' });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw new FlowApiError(response.status, (parsed ?? {}) as { detail?: string });
    return parsed as T;
  }
  return {
    get: (path, query) => call('GET', path, undefined, query),
    post: (path, body, headers) => call('POST', path, body ?? {}, undefined, headers),
    async stream(path, headers, signal) {
      return fetch(`${base}${path}`, {
        headers: { authorization: authorization(), accept: 'text/event-stream', ...headers },
        cache: 'no-store',
        signal,
      });
    },
  };
}

/** Reads for a page: 401/403/404 become the matching page; anything else goes to error.tsx. */
export async function loadFlow<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof FlowApiError) {
      if (error.status === 401) unauthorized();
      if (error.status === 403) forbidden();
      if (error.status === 404) notFound();
    }
    throw error;
  }
}

export const segment = (value: string) => encodeURIComponent(value);
