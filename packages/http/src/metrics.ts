import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { createHttpMetrics } from './http-metrics.ts';

export interface AppMetrics {
  /** This app's own registry; register service metrics here, not on prom-client's global one. */
  registry: Registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

/** Requests that matched no route share one label value, so scanners cannot mint a series per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route template (`/items/:id`), never the raw URL. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Decorates `app.metrics`, records every response and serves `GET /metrics` in Prometheus text format. */
export function registerMetrics(app: FastifyInstance): AppMetrics {
  const http = createHttpMetrics();
  const registry = http.registry;
  const metrics: AppMetrics = { registry };
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (request, reply) => {
    http.record(request.method, routeLabel(request), reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  return metrics;
}
