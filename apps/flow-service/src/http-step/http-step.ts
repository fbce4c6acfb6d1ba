import type { EgressPolicy } from '../egress/egress-policy.ts';
import { BodyTooLargeError, type PinnedResponse, sendPinned } from '../egress/pinned-request.ts';
import { forbiddenHeaders, lowerCaseHeaders } from '../egress/step-headers.ts';
import type { Outcome } from '../engine/outcome.ts';
import { scopeList } from './authority-client.ts';
import { isOutcome, type StepAuthor, type StepTokenOptions, stepTokenRequest } from './step-token.ts';
import { type TokenClient, type TokenRequest, TokenRequestError } from './token-client.ts';

export interface HttpStepInput {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  auth?: 'none' | { resource?: string; scope?: string };
  on4xx?: 'fail' | 'retry' | 'succeed';
}

export type { StepAuthor } from './step-token.ts';

export interface HttpStepOptions extends StepTokenOptions {
  policy: EgressPolicy;
  maxBodyBytes: number;
}

export interface HttpStepContext {
  idempotencyKey: string;
  runId: string;
  stepId: string;
  attempt: number;
  signal: AbortSignal;
  author?: StepAuthor;
}

const fail = (error: string, retryable = false): Outcome => ({ kind: 'failed', error, retryable });

/** The step's bearer token, or the failure: a refused exchange names the user the run acts for. */
async function fetchStepToken(tokens: TokenClient, request: TokenRequest): Promise<string | Outcome> {
  try {
    return await tokens.token(request);
  } catch (error) {
    const retryable = error instanceof TokenRequestError ? error.retryable : true;
    const message = (error as Error).message;
    return fail(
      request.subjectToken || request.refreshToken
        ? `the token of the user this run acts for was not ${request.refreshToken ? 'refreshed' : 'exchanged'} for ${request.resource}${request.scope ? ` (${request.scope})` : ''}: ${message}`
        : message,
      retryable,
    );
  }
}

function parseBody(response: PinnedResponse): unknown {
  const text = response.body.toString('utf8');
  if (!String(response.headers['content-type'] ?? '').includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Executes an http step: the URL is checked against the egress policy (after templating), a token for the
 * target's resource server is attached only when the step asks and the run may hold it (step-token.ts), and the
 * request goes to the address that was checked. 5xx, 408, 429 and network errors are retryable; other 4xx
 * fail the step unless `on4xx` says otherwise. A body larger than the cap fails the step.
 */
export async function executeHttpStep(
  input: HttpStepInput,
  context: HttpStepContext,
  options: HttpStepOptions,
): Promise<Outcome> {
  const method = input.method ?? (input.body === undefined ? 'GET' : 'POST');
  const target = options.policy.check(input.url);
  if (!target.ok) return fail(`url ${target.reason}`);
  const { url } = target;
  const forbidden = forbiddenHeaders(input.headers);
  if (forbidden.length) return fail(`headers ${forbidden.join(', ')} may not be set by a step`);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...lowerCaseHeaders(input.headers),
    'idempotency-key': context.idempotencyKey,
    'x-flow-run-id': context.runId,
    'x-flow-step-id': context.stepId,
    'x-flow-attempt': String(context.attempt),
  };
  let auth: TokenRequest | null = null;
  if (input.auth !== 'none') {
    if (!target.resource)
      return fail(
        `a token is only sent to the platform's resource servers, not to ${url.origin} (use auth: none)`,
      );
    if (input.auth?.resource && input.auth.resource !== target.resource)
      return fail(
        `auth.resource ${input.auth.resource} is not the resource server at ${url.origin} (${target.resource})`,
      );
    const request = await stepTokenRequest(scopeList(input.auth?.scope), target.resource, context, options);
    if (isOutcome(request)) return request;
    auth = request;
  }
  const address = await options.policy.resolve(target);
  if (!address.ok) return fail(`url ${address.reason}`, address.retryable);
  if (auth && options.tokens) {
    const token = await fetchStepToken(options.tokens, auth);
    if (typeof token !== 'string') return token;
    headers.authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (input.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    if (typeof input.body !== 'string') headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  let response: PinnedResponse;
  try {
    response = await sendPinned({
      url,
      address: address.address,
      family: address.family,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: context.signal,
      maxBodyBytes: options.maxBodyBytes,
    });
  } catch (error) {
    if (error instanceof BodyTooLargeError) return fail(error.message);
    if (context.signal.aborted)
      return { kind: 'failed', error: 'request timed out', retryable: true, timedOut: true };
    return fail(`request failed: ${(error as Error).message}`, true);
  }
  const output = { status: response.status, body: parseBody(response) };
  if (response.status === 401 && auth) options.tokens?.invalidate(auth);
  if (response.status >= 200 && response.status < 400) return { kind: 'succeeded', output };
  const summary = `${method} ${url.origin}${url.pathname} answered ${response.status}`;
  if (response.status >= 500 || response.status === 408 || response.status === 429)
    return fail(summary, true);
  const on4xx = input.on4xx ?? 'fail';
  if (on4xx === 'succeed') return { kind: 'succeeded', output };
  // A 401 after the token was dropped from the cache is worth one more try with a fresh token.
  return fail(summary, on4xx === 'retry' || response.status === 401);
}
