import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './error-handler.ts';
import { HttpError } from './errors.ts';
import type { ReadinessCheck } from './options.ts';
import { runReadinessChecks } from './readiness.ts';

export interface HealthRoutesOptions {
  checks: Record<string, ReadinessCheck>;
  timeoutMs: number;
}

/**
 * `/health` is liveness (the process answers; restarting will not fix a dead database, so no checks);
 * `/ready` is readiness (stop routing traffic here until the dependencies answer).
 * Probes hit these every few seconds, so their per-request logs are kept below `info`.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  // While draining, both say so: the gateway's health checks (and Kubernetes' readiness probe) stop sending
  // new traffic here while the requests still arriving are served.
  const draining = (request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      request,
      reply,
      new HttpError({
        status: 503,
        code: 'draining',
        detail: 'The server is shutting down; send requests elsewhere.',
        expose: true,
      }),
    );

  app.get('/health', { logLevel: 'warn', schema: { hide: true } }, async (request, reply) =>
    app.lifecycle.draining ? draining(request, reply) : { status: 'ok' },
  );

  app.get('/ready', { logLevel: 'warn', schema: { hide: true } }, async (request, reply) => {
    if (app.lifecycle.draining) return draining(request, reply);
    const report = await runReadinessChecks(options.checks, options.timeoutMs);
    if (report.ready) return { status: 'ready', checks: report.checks };

    const failing = Object.keys(report.failures);
    for (const check of failing) {
      request.log.warn({ check, err: report.failures[check] }, 'readiness check failed');
    }
    return sendProblem(
      request,
      reply,
      new HttpError({
        status: 503,
        code: 'not_ready',
        detail: `Failing readiness checks: ${failing.join(', ')}.`,
        expose: true,
        extensions: { checks: report.checks },
      }),
    );
  });
}
