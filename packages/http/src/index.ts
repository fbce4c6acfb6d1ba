// @platform/http: the Fastify app factory every service starts from.
export { type AppLifecycle, createApp, DRAIN_SIGNALS, DRAINING_HEADER, REQUEST_ID_LOG_KEY } from './app.ts';
export type { HttpErrorOptions, Problem } from './errors.ts';
export { badRequest, conflict, HttpError, notFound, PROBLEM_CONTENT_TYPE, toProblem } from './errors.ts';
export {
  type EventStream,
  type EventStreamOptions,
  openEventStream,
  type ServerSentEvent,
} from './event-stream.ts';
export type { AppMetrics } from './metrics.ts';
export { UNMATCHED_ROUTE } from './metrics.ts';
export {
  BEARER_SECURITY_SCHEME,
  OPTIONAL_BODY,
  problemResponses,
  problemSchema,
  uuidIdParams,
} from './openapi.ts';
export type { AppOptions, LogStream, OpenApiOptions, OpenApiSubDocument, ReadinessCheck } from './options.ts';
export { proxyTrust } from './proxy-trust.ts';
export { REQUEST_ID_HEADER } from './request-id.ts';
export type { RunningServer, StartServerOptions } from './server.ts';
export { startServer } from './server.ts';
export type { ValidationIssue } from './to-http-error.ts';
export type { App, Handler, SchemaType, SchemaTypeProvider } from './type-provider.ts';
