import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Upstream proxies and clients may send their own id; we only trust one that cannot smuggle anything
// into headers or log lines (no spaces, quotes, newlines, commas from duplicated headers) and is bounded.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value);
}

/** The incoming `x-request-id` when it is sane, otherwise a fresh UUID. Used as Fastify's `genReqId`. */
export function requestIdFor(request: Pick<IncomingMessage, 'headers'>): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}
