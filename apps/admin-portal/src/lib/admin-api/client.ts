import { forbidden, notFound, unauthorized } from 'next/navigation';
import { portalConfig } from '../config.ts';
import type { CurrentSession } from '../session/current.ts';
import { AdminApiError, type ProblemBody } from './errors.ts';

// Server-side calls to the admin API with the user's own access token (oauth-service re-checks the user's
// roles on every call). Internal URL: the token never travels through the browser.

type Query = Record<string, string | number | undefined>;

export interface AdminApi {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export function adminApi(session: CurrentSession): AdminApi {
  const base = `${portalConfig().internalOAuthUrl}/api/admin`;
  async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${session.stored.accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new AdminApiError(response.status, (parsed ?? {}) as ProblemBody);
    return parsed as T;
  }
  return {
    get: (path, query) => call('GET', path, undefined, query),
    send: (method, path, body) => call(method, path, body),
  };
}

/** For pages: 401/403/404 from the API become the matching page; anything else propagates to error.tsx. */
export function pageFailure(error: unknown): never {
  if (error instanceof AdminApiError) {
    if (error.status === 401) unauthorized();
    if (error.status === 403) forbidden();
    if (error.status === 404) notFound();
  }
  throw error;
}

/** Reads for a page, failing into the right page. */
export async function load<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    return pageFailure(error);
  }
}
