import type { FastifyReply, FastifyRequest } from 'fastify';
import { type HttpError, PROBLEM_CONTENT_TYPE, toProblem } from './errors.ts';
import { pathOf } from './logger.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { toHttpError } from './to-http-error.ts';

/** Writes `error` as RFC 9457 problem+json, with its own headers and the request id. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: HttpError): FastifyReply {
  const problem = toProblem(error, { instance: pathOf(request.url), requestId: request.id });
  // Pre-serialized on purpose: a route's response schema for this status must not strip problem members.
  return reply
    .code(error.status)
    .headers(error.headers)
    .header(REQUEST_ID_HEADER, request.id)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

/** The app's only error handler: every thrown or Fastify-raised error leaves through here. */
export function problemErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) {
    // The original error (with stack and cause) is for operators only; the client gets an opaque problem.
    request.log.error({ err: error }, 'request failed');
  } else {
    // Client mistakes are routine; the code is enough, and the error message may quote client input.
    request.log.info({ status: httpError.status, code: httpError.code }, 'request rejected');
  }
  return sendProblem(request, reply, httpError);
}
