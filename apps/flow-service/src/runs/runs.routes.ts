import { requireScopes } from '@platform/auth';
import { HttpError, notFound, problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { RunState } from '../db/schema.ts';
import { ID_PATTERN } from '../definitions/definition.schema.ts';
import type { Engine } from '../engine/engine.ts';
import { ControlError, type runControl } from '../engine/run-control.ts';
import { StartError } from '../engine/store.ts';
import { CURSOR_PATTERN, decodeCursor, type RunsRepository } from './runs.repository.ts';
import {
  eventSchema,
  runDetail,
  runIdParams,
  runSummary,
  STATES,
  stepParams,
  streamEvent,
} from './runs.schemas.ts';

function controlProblem(error: unknown): never {
  if (error instanceof ControlError) {
    if (error.code === 'not_found') throw notFound(error.message);
    throw new HttpError({ status: 409, code: 'conflict', detail: error.message });
  }
  throw error;
}

export function runRoutes(
  app: FastifyInstance,
  engine: Engine,
  runs: RunsRepository,
  control: ReturnType<typeof runControl>,
): void {
  app.post<{
    Params: { id: string };
    Body: { input?: unknown; version?: number } | undefined;
    Headers: { 'idempotency-key'?: string };
  }>(
    '/flow/api/v1/definitions/:id/runs',
    {
      preHandler: requireScopes('flow:run'),
      schema: {
        summary: 'Start a run (needs flow:run). The same Idempotency-Key returns the same run.',
        security: [{ bearer: ['flow:run'] }],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: ID_PATTERN } },
        },
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
        },
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { input: {}, version: { type: 'integer', minimum: 1 } },
        },
        response: { 201: runSummary, 200: runSummary, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      let result: { runId: string; created: boolean };
      try {
        result = await engine.startRun({
          definitionId: request.params.id,
          ...(request.body?.version ? { version: request.body.version } : {}),
          input: request.body?.input ?? null,
          ...(key ? { idempotencyKey: key } : {}),
          trigger: 'api',
          createdBy: request.token!.sub,
        });
      } catch (error) {
        if (error instanceof StartError && error.code === 'not_found') throw notFound(error.message);
        if (error instanceof StartError)
          throw new HttpError({ status: 422, code: 'idempotency_key_reused', detail: error.message });
        throw error;
      }
      const summary = await runs.summary(result.runId);
      return reply
        .status(result.created ? 201 : 200)
        .header('location', `/flow/api/v1/runs/${result.runId}`)
        .send(summary);
    },
  );

  app.get<{ Querystring: { definition?: string; state?: RunState; limit: number; cursor?: string } }>(
    '/flow/api/v1/runs',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'List runs, newest first (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            definition: { type: 'string', pattern: ID_PATTERN },
            state: { enum: STATES },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            // Empty means the first page, so a client may always send `cursor=${next_cursor ?? ''}`.
            cursor: { type: 'string', pattern: CURSOR_PATTERN },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              runs: { type: 'array', items: runSummary },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { definition, state, limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : undefined;
      return runs.list({
        limit,
        ...(definition ? { definition } : {}),
        ...(state ? { state } : {}),
        ...(after ? { after } : {}),
      });
    },
  );

  app.get<{ Params: { runId: string } }>(
    '/flow/api/v1/runs/:runId',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'A run with its steps (the DAG with live states) (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: runIdParams,
        response: { 200: runDetail, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const run = await runs.get(request.params.runId);
      if (!run) throw notFound(`run ${request.params.runId} does not exist`);
      return run;
    },
  );

  app.get<{ Params: { runId: string; stepId: string } }>(
    '/flow/api/v1/runs/:runId/steps/:stepId',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'A step with its attempts and errors (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: stepParams,
        response: {
          200: { type: 'object', additionalProperties: true, description: 'The step and its attempts.' },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const step = await runs.step(request.params.runId, request.params.stepId);
      if (!step) throw notFound(`run ${request.params.runId} has no step ${request.params.stepId}`);
      return step;
    },
  );

  app.get<{ Params: { runId: string }; Querystring: { after: number; limit: number } }>(
    '/flow/api/v1/runs/:runId/events',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'The run’s append-only event history (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          },
        },
        response: {
          200: { type: 'object', properties: { events: { type: 'array', items: eventSchema } } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      if (!(await runs.exists(request.params.runId)))
        throw notFound(`run ${request.params.runId} does not exist`);
      return { events: await runs.events(request.params.runId, request.query.after, request.query.limit) };
    },
  );

  // Open streams end when the server shuts down, so a graceful stop does not wait on them.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const finish of open) finish();
  });
  app.get<{
    Params: { runId: string };
    Querystring: { after?: number };
    Headers: { 'last-event-id'?: string };
  }>(
    '/flow/api/v1/runs/:runId/events/stream',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'The run’s events as server-sent events; resumes after Last-Event-ID (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { after: { type: 'integer', minimum: 0 } },
        },
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'Each event as `id: <seq>`, `event: <type>`, `data: <the event as JSON>`.',
            content: { 'text/event-stream': { schema: streamEvent } },
          },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { runId } = request.params;
      if (!(await runs.exists(runId))) throw notFound(`run ${runId} does not exist`);
      const header = Number.parseInt(request.headers['last-event-id'] ?? '', 10);
      let last = Number.isFinite(header) && header >= 0 ? header : (request.query.after ?? 0);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': request.id,
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      let busy = false;
      let again = false;
      let finished = false;
      const pump = async () => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const events = await runs.events(runId, last);
            for (const event of events) {
              raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
              last = event.seq;
            }
          } while (again && !finished);
        } catch {
          // The database is briefly unreachable: the poll below tries again.
        } finally {
          busy = false;
        }
      };
      const onRun = (changed: string) => {
        if (changed === runId) void pump();
      };
      engine.signals.on('run', onRun);
      // Changes committed by other instances are found by polling; keep-alive comments hold proxies open.
      const poll = setInterval(() => void pump(), 1000);
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      const finish = () => {
        if (finished) return;
        finished = true;
        engine.signals.off('run', onRun);
        clearInterval(poll);
        clearInterval(keepAlive);
        open.delete(finish);
        if (!raw.writableEnded) raw.end();
      };
      open.add(finish);
      request.raw.on('close', finish);
      await pump();
    },
  );

  const action = (
    path: string,
    summary: string,
    scope: string,
    run: (runId: string, by: string) => Promise<unknown>,
  ) =>
    app.post<{ Params: { runId: string } }>(
      `/flow/api/v1/runs/:runId/${path}`,
      {
        preHandler: requireScopes(scope),
        schema: {
          summary: `${summary} (needs ${scope})`,
          security: [{ bearer: [scope] }],
          params: runIdParams,
          response: problemResponses(400, 401, 403, 404, 409),
        },
      },
      async (request, reply) => {
        let result: unknown;
        try {
          result = await run(request.params.runId, request.token!.sub);
        } catch (error) {
          controlProblem(error);
        }
        const id = typeof result === 'string' ? result : request.params.runId;
        const detail = await runs.get(id);
        return reply.status(typeof result === 'string' ? 201 : 200).send(detail);
      },
    );
  action('cancel', 'Cancel a run', 'flow:run', (id, by) => control.cancel(id, by));
  action(
    'retry',
    'Retry a failed, timed-out or cancelled run from its unfinished steps',
    'flow:run',
    (id, by) => control.retry(id, by),
  );
  action(
    'rerun',
    'Start a new run of the same definition version with the same input',
    'flow:run',
    (id, by) => control.rerun(id, by),
  );

  app.post<{
    Params: { runId: string; stepId: string };
    Body: { decision: 'approve' | 'reject'; comment?: string };
  }>(
    '/flow/api/v1/runs/:runId/steps/:stepId/decision',
    {
      preHandler: requireScopes('flow:approve'),
      schema: {
        summary: 'Approve or reject a waiting approval step (needs flow:approve)',
        security: [{ bearer: ['flow:approve'] }],
        params: stepParams,
        body: {
          type: 'object',
          required: ['decision'],
          additionalProperties: false,
          properties: {
            decision: { enum: ['approve', 'reject'] },
            comment: { type: 'string', maxLength: 2000 },
          },
        },
        response: problemResponses(400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const { runId, stepId } = request.params;
      try {
        await control.decide(runId, stepId, {
          decision: request.body.decision,
          ...(request.body.comment ? { comment: request.body.comment } : {}),
          by: request.token!.sub,
        });
      } catch (error) {
        controlProblem(error);
      }
      return runs.step(runId, stepId);
    },
  );
}
