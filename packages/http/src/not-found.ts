import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, notFound } from './errors.ts';
import { pathOf } from './logger.ts';

/** Methods with a route on this concrete path (parametric routes included), sorted for a stable `Allow`. */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  return app.supportedMethods.filter((method) => app.findRoute({ method, url: path }) !== null).sort();
}

/**
 * Fastify only knows "no route for this method and path". We tell apart a path that does not exist (404)
 * from one that exists under other methods (405 + Allow, RFC 9110 §15.5.6), so clients see what to fix.
 */
export function unmatchedRouteError(app: FastifyInstance, request: FastifyRequest): HttpError {
  const allow = allowedMethods(app, pathOf(request.url));
  if (allow.length === 0) return notFound();
  return new HttpError({
    status: 405,
    code: 'method_not_allowed',
    detail: `${request.method} is not allowed here; use ${allow.join(', ')}.`,
    headers: { allow: allow.join(', ') },
  });
}

/** Fastify's not-found handler. The app's onRequest hook normally answers first, before any body is read. */
export function notFoundHandler(this: FastifyInstance, request: FastifyRequest): never {
  throw unmatchedRouteError(this, request);
}
