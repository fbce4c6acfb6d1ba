import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { problemErrorHandler } from './error-handler.ts';
import { registerHealthRoutes } from './health.ts';
import { loggerOptions } from './logger.ts';
import { registerMetrics } from './metrics.ts';
import { notFoundHandler, unmatchedRouteError } from './not-found.ts';
import { registerOpenApi } from './openapi.ts';
import { type AppOptions, resolveAppOptions } from './options.ts';
import { proxyTrust } from './proxy-trust.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts';
import type { App, SchemaTypeProvider } from './type-provider.ts';
import { strictBodyValidator } from './validation.ts';

/** Longest path parameter the router passes on to the route's schema. */
export const MAX_PARAM_LENGTH = 2048;

/** Set on every response while the service drains; see apps/pingora-proxy/src/upstream (DRAINING_HEADER). */
export const DRAINING_HEADER = 'x-draining';

/**
 * What every response carries while the service drains: its connection closes after it, and the gateway
 * takes the instance out of rotation (it strips DRAINING_HEADER).
 */
export const DRAIN_SIGNALS: Readonly<Record<string, string>> = {
  connection: 'close',
  [DRAINING_HEADER]: '1',
};

export interface AppLifecycle {
  /** True once the server is shutting down: health answers 503 and every response closes its connection. */
  draining: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: AppLifecycle;
  }
}

/** Log key under which every request log line carries the request id. */
export const REQUEST_ID_LOG_KEY = 'request_id';

/**
 * Builds the Fastify app every service starts from: request ids, JSON logs, problem+json errors,
 * `/health`, `/ready`, `/metrics` and the OpenAPI document. Options are validated here and throw.
 *
 * Async because @fastify/swagger must finish loading before the service declares its routes, or those
 * routes would be missing from the OpenAPI document. Await it, then add routes and plugins as usual.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const settings = resolveAppOptions(options);

  const app = Fastify({
    logger: loggerOptions({
      service: settings.name,
      version: settings.version,
      level: settings.logLevel,
      stream: settings.logStream,
      file: settings.logFile,
    }),
    // One access line per request (addAccessLog) instead of Fastify's two: half the logging
    // cost on hot paths.
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_KEY, disableRequestLogging: true }),
    genReqId: requestIdFor,
    bodyLimit: settings.bodyLimit,
    // request.ip/protocol/host come from X-Forwarded-* only when the peer is one of TRUSTED_PROXIES.
    ...(settings.trustedProxies.length > 0 ? { trustProxy: proxyTrust(settings.trustedProxies) } : {}),
    // Longer than any path parameter a route schema admits, so an over-long id reaches the schema and gets
    // its documented 400 instead of the router's undocumented 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Requests arriving on open connections while draining are served (see addDrainingAndRequestIds).
    return503OnClosing: false,
    // Report every failing field at once; bodies are bounded by bodyLimit and the list is capped.
    // removeAdditional off: a schema saying `additionalProperties: false` rejects unknown fields with a 400
    // naming them, instead of Fastify's default of silently dropping them (a typo must not pass as success).
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    schemaController: { compilersFactory: { buildValidator: strictBodyValidator() } },
    // Malformed URLs are rejected by the router before any hook runs; route them to the same handler.
    frameworkErrors: (error, request, reply) => {
      problemErrorHandler(error, request, reply);
    },
  });

  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler(notFoundHandler);

  addAccessLog(app);
  addDrainingAndRequestIds(app);
  if (settings.onClose) runOnClose(app, settings.onClose);

  await registerOpenApi(app, settings.openapi);
  registerMetrics(app);
  registerHealthRoutes(app, { checks: settings.readiness, timeoutMs: settings.readinessTimeoutMs });

  return app.withTypeProvider<SchemaTypeProvider>();
}

/** The access log line: request (method, path without query), status and time, under the request id. */
function addAccessLog(app: FastifyInstance): void {
  // request.log honours each route's logLevel, so probes configured at `warn` stay quiet.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}

/** `app.lifecycle`, the request id header on every response, and connection draining. */
function addDrainingAndRequestIds(app: FastifyInstance): void {
  // Draining starts when startServer is told to stop (before its drain delay) or when the app closes.
  const lifecycle: AppLifecycle = { draining: false };
  app.decorate('lifecycle', lifecycle);
  app.addHook('preClose', async () => {
    lifecycle.draining = true;
  });

  app.addHook('onRequest', async (request, reply) => {
    // Set first so that every response, errors included, carries it.
    reply.header(REQUEST_ID_HEADER, request.id);
    // Answer 404/405 before the body is read: a wrong URL must not be reported as bad JSON or too large.
    if (request.is404) throw unmatchedRouteError(request.server, request);
  });

  app.addHook('onSend', async (_request, reply) => {
    // While draining, requests that still arrive on open keep-alive connections are served (refusing them would
    // fail a request on every rolling restart behind the gateway), and their connection closes after the
    // response: the client's next request opens a connection elsewhere, and the drain does not wait for the
    // client's keep-alive timeout.
    if (lifecycle.draining) reply.headers(DRAIN_SIGNALS);
  });
}

function runOnClose(app: FastifyInstance, onClose: () => Promise<void>): void {
  // Fastify runs onClose hooks after the server stopped listening and in-flight requests finished.
  app.addHook('onClose', async () => {
    await onClose();
  });
}
