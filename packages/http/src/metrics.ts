import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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

// 5 ms .. 10 s: our handlers are mostly fast DB calls; anything past 10 s is an outage, not a latency.
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route template (`/items/:id`), never the raw URL. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Decorates `app.metrics`, records every response and serves `GET /metrics` in Prometheus text format. */
export function registerMetrics(app: FastifyInstance): AppMetrics {
  // Per app, not global: several apps can then live in one test process without duplicate-metric errors.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const metrics: AppMetrics = { registry };
  app.decorate('metrics', metrics);

  // prom-client hashes a label object on every call; the children of each (method, route, status) are looked
  // up once and kept (the key space is bounded: routes are templates, unmatched URLs share one label).
  const series = new Map<
    string,
    { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> }
  >();
  app.addHook('onResponse', async (request, reply) => {
    const method = request.method;
    const route = routeLabel(request);
    const status = reply.statusCode;
    const key = `${method} ${route} ${status}`;
    let children = series.get(key);
    if (!children) {
      const labels = { method, route, status: String(status) };
      children = { requests: requests.labels(labels), duration: duration.labels(labels) };
      series.set(key, children);
    }
    children.requests.inc();
    children.duration.observe(reply.elapsedTime / 1000);
  });

  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  return metrics;
}
