import type { Outcome } from '../engine/outcome.ts';
import { type TokenClient, TokenRequestError } from './token-client.ts';

export interface HttpStepInput {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  auth?: 'none' | { resource?: string; scope?: string };
  on4xx?: 'fail' | 'retry' | 'succeed';
}

export interface HttpStepOptions {
  tokens: TokenClient | null;
  /** The platform's public origin: a call to `<any host>/<svc>/...` gets a token for `PUBLIC_URL/<svc>`. */
  publicUrl: string;
  fetch?: typeof fetch;
}

/** Largest response body kept as the step's output. */
const MAX_BODY = 256 * 1024;

/** The default RFC 8707 resource for a URL: the platform resource named by its first path segment. */
export function defaultResource(url: string, publicUrl: string): string {
  const segment = new URL(url).pathname.split('/').filter(Boolean)[0] ?? '';
  return `${publicUrl}/${segment}`;
}

/**
 * Executes an http step: one request with the step's idempotency key, a bearer token unless `auth: none`,
 * bounded by the engine's abort signal (the step timeout). 5xx, 408, 429 and network errors are retryable;
 * other 4xx fail the step unless `on4xx` says otherwise.
 */
export async function executeHttpStep(
  input: HttpStepInput,
  context: { idempotencyKey: string; runId: string; stepId: string; attempt: number; signal: AbortSignal },
  options: HttpStepOptions,
): Promise<Outcome> {
  const doFetch = options.fetch ?? fetch;
  const method = input.method ?? (input.body === undefined ? 'GET' : 'POST');
  let url: URL;
  try {
    url = new URL(input.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { kind: 'failed', error: `url "${input.url}" is not an absolute http(s) URL`, retryable: false };
  }
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...input.headers,
    'idempotency-key': context.idempotencyKey,
    'x-flow-run-id': context.runId,
    'x-flow-step-id': context.stepId,
    'x-flow-attempt': String(context.attempt),
  };
  const auth =
    input.auth === 'none'
      ? null
      : {
          resource: input.auth?.resource ?? defaultResource(url.href, options.publicUrl),
          ...(input.auth?.scope ? { scope: input.auth.scope } : {}),
        };
  if (auth) {
    if (!options.tokens)
      return {
        kind: 'failed',
        error: 'http step needs a token but FLOW_CLIENT_SECRET is not configured',
        retryable: false,
      };
    try {
      headers.authorization = `Bearer ${await options.tokens.token(auth)}`;
    } catch (error) {
      const retryable = error instanceof TokenRequestError ? error.retryable : true;
      return { kind: 'failed', error: (error as Error).message, retryable };
    }
  }
  let body: string | undefined;
  if (input.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    if (typeof input.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  let response: Response;
  try {
    response = await doFetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: context.signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (context.signal.aborted)
      return { kind: 'failed', error: 'request timed out', retryable: true, timedOut: true };
    return { kind: 'failed', error: `request failed: ${(error as Error).message}`, retryable: true };
  }
  const text = await response.text().catch(() => '');
  const truncated = text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text;
  let parsed: unknown = truncated;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(truncated);
    } catch {
      parsed = truncated;
    }
  }
  const output = { status: response.status, body: parsed };
  if (response.status === 401 && auth) options.tokens?.invalidate(auth);
  if (response.status >= 200 && response.status < 400) return { kind: 'succeeded', output };
  const summary = `${method} ${url.origin}${url.pathname} answered ${response.status}`;
  if (response.status >= 500 || response.status === 408 || response.status === 429)
    return { kind: 'failed', error: summary, retryable: true };
  const on4xx = input.on4xx ?? 'fail';
  if (on4xx === 'succeed') return { kind: 'succeeded', output };
  // A 401 after the token was dropped from the cache is worth one more try with a fresh token.
  return { kind: 'failed', error: summary, retryable: on4xx === 'retry' || response.status === 401 };
}
