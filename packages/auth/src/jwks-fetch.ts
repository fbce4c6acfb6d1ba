import type { FetchImplementation } from 'jose';
import { JwksFetchError } from './token-error.ts';

export interface JwksFetchOptions {
  /** After a failed attempt, further attempts fail fast for this long instead of reaching the token issuer. */
  failureBackoffMs: number;
  /** For tests. */
  fetch?: typeof globalThis.fetch;
  /** For tests; milliseconds since the epoch. */
  now?: () => number;
}

export const isKeySet = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as { keys?: unknown }).keys) &&
  (value as { keys: unknown[] }).keys.every(
    (key) => typeof key === 'object' && key !== null && !Array.isArray(key),
  );

/**
 * The fetch jose's remote JWKS uses. jose's cooldown only counts from the last *successful* fetch, so while
 * the token issuer is down every token with an unknown kid would trigger another request. This wrapper spaces
 * failed attempts at least `failureBackoffMs` apart, and treats a 200 with a body that is not a key set as
 * a failure too, so the token issuer is never hammered whatever it answers.
 */
export function createJwksFetch(options: JwksFetchOptions): FetchImplementation {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  let nextAttemptAt = 0;

  return async (url, init) => {
    if (now() < nextAttemptAt) {
      throw new JwksFetchError(
        `JWKS not requested: the previous attempt failed under ${options.failureBackoffMs} ms ago`,
      );
    }
    try {
      const response = await fetchImpl(url, init);
      if (response.status !== 200) {
        // Release the connection; not awaited, the error matters more than the socket.
        response.body?.cancel().catch(() => {});
        throw new JwksFetchError(`JWKS endpoint answered HTTP ${response.status}`);
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new JwksFetchError('JWKS endpoint answered something that is not JSON');
      }
      if (!isKeySet(body))
        throw new JwksFetchError('JWKS endpoint answered JSON without a "keys" array of objects');
      // The body has been consumed; hand jose an equivalent response to parse.
      return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (error) {
      nextAttemptAt = now() + options.failureBackoffMs;
      if (error instanceof JwksFetchError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new JwksFetchError(`JWKS request failed: ${detail}`, { cause: error });
    }
  };
}
