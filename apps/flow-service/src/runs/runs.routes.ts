import { requireScopes } from '@platform/auth';
import { type App, type Handler, HttpError, notFound } from '@platform/http';
import type { FastifyRequest } from 'fastify';
import type { SealedActingUser } from '../acting-user/acting-users.repository.ts';
import { type ActingUserKeeper, actingUserOf, releaseUnused } from '../acting-user/from-request.ts';
import type { Engine } from '../engine/engine.ts';
import { ControlError, type RunControl } from '../engine/run-control.ts';
import { StartError } from '../engine/store.ts';
import { streamRunEvents } from './run-events.stream.ts';
import { decodeCursor, type RunsRepository } from './runs.repository.ts';
import {
  cancelRunSchema,
  decideStepSchema,
  getRunSchema,
  getStepSchema,
  listEventsSchema,
  listRunsSchema,
  rerunRunSchema,
  retryRunSchema,
  startRunSchema,
  streamEventsSchema,
} from './runs.schemas.ts';

/** Turns an operator action's refusal into its problem: 404 for an unknown run, 409 for the wrong state. */
function controlProblem(error: unknown): never {
  if (error instanceof ControlError) {
    if (error.code === 'not_found') throw notFound(error.message);
    throw new HttpError({ status: 409, code: 'conflict', detail: error.message });
  }
  throw error;
}

function startProblem(error: unknown): never {
  if (error instanceof StartError && error.code === 'not_found') throw notFound(error.message);
  if (error instanceof StartError)
    throw new HttpError({ status: 422, code: 'idempotency_key_reused', detail: error.message });
  throw error;
}

/** The caller's username as their access token names it (preferred_username); null when it names none. */
function usernameOf(request: FastifyRequest): string | null {
  const name = request.token?.claims.preferred_username;
  return typeof name === 'string' && name.trim() !== '' ? name.slice(0, 255) : null;
}

const startRun =
  (engine: Engine, runs: RunsRepository, keeper: ActingUserKeeper): Handler<typeof startRunSchema> =>
  async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const actingUser = await actingUserOf(request, keeper);
    const result = await engine
      .startRun({
        definitionId: request.params.id,
        ...(request.body?.version ? { version: request.body.version } : {}),
        input: request.body?.input ?? null,
        ...(key ? { idempotencyKey: key } : {}),
        trigger: 'api',
        createdBy: request.token!.sub,
        createdByName: usernameOf(request),
        actingUser,
      })
      .catch(async (error) => {
        await releaseUnused(actingUser, keeper);
        return startProblem(error);
      });
    // A replay keeps the first request's run and user: the refresh token this request obtained is unused.
    if (!result.created) await releaseUnused(actingUser, keeper);
    const summary = await runs.summary(result.runId);
    return reply
      .status(result.created ? 201 : 200)
      .header('location', `/flow/api/v1/runs/${result.runId}`)
      .send(summary);
  };

const listRuns =
  (runs: RunsRepository): Handler<typeof listRunsSchema> =>
  async (request) => {
    const { definition, state, limit, cursor } = request.query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    return runs.list({
      limit,
      ...(definition ? { definition } : {}),
      ...(state ? { state } : {}),
      ...(after ? { after } : {}),
    });
  };

const getRun =
  (runs: RunsRepository): Handler<typeof getRunSchema> =>
  async (request) => {
    const run = await runs.get(request.params.runId);
    if (!run) throw notFound(`run ${request.params.runId} does not exist`);
    return run;
  };

const getStep =
  (runs: RunsRepository): Handler<typeof getStepSchema> =>
  async (request) => {
    const step = await runs.step(request.params.runId, request.params.stepId);
    if (!step) throw notFound(`run ${request.params.runId} has no step ${request.params.stepId}`);
    return step;
  };

const listEvents =
  (runs: RunsRepository): Handler<typeof listEventsSchema> =>
  async (request) => {
    if (!(await runs.exists(request.params.runId)))
      throw notFound(`run ${request.params.runId} does not exist`);
    return { events: await runs.events(request.params.runId, request.query.after, request.query.limit) };
  };

/**
 * Cancel, retry or rerun: answers with the run's detail, or with the new run's (201) when the action
 * starts one.
 */
type Actor = { by: string; byName: string | null; actingUser: SealedActingUser | null };

const runAction =
  (
    runs: RunsRepository,
    keeper: ActingUserKeeper | null,
    act: (runId: string, actor: Actor) => Promise<unknown>,
    // The three actions share one schema shape (runActionSchema).
  ): Handler<typeof cancelRunSchema> =>
  async (request, reply) => {
    const actor = {
      by: request.token!.sub,
      byName: usernameOf(request),
      actingUser: keeper && (await actingUserOf(request, keeper)),
    };
    const result = await act(request.params.runId, actor).catch(async (error) => {
      if (keeper) await releaseUnused(actor.actingUser, keeper);
      return controlProblem(error);
    });
    const id = typeof result === 'string' ? result : request.params.runId;
    const detail = await runs.get(id);
    if (!detail) throw notFound(`run ${id} does not exist`);
    reply.status(typeof result === 'string' ? 201 : 200);
    return detail;
  };

const decideStep =
  (runs: RunsRepository, control: RunControl): Handler<typeof decideStepSchema> =>
  async (request) => {
    const { runId, stepId } = request.params;
    await control
      .decide(runId, stepId, {
        decision: request.body.decision,
        ...(request.body.comment ? { comment: request.body.comment } : {}),
        by: request.token!.sub,
        byName: usernameOf(request),
      })
      .catch(controlProblem);
    return runs.step(runId, stepId);
  };

/** `keeper` keeps the starter for the run's http steps (ADR 0036): a sealed refresh token by exchange. */
export function runRoutes(
  app: App,
  engine: Engine,
  runs: RunsRepository,
  control: RunControl,
  keeper: ActingUserKeeper,
): void {
  // Open streams end when the server shuts down, so a graceful stop does not wait on them.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of openStreams) end();
  });
  const read = requireScopes('flow:read');
  const run = requireScopes('flow:run');
  const base = '/flow/api/v1';
  app.post(
    `${base}/definitions/:id/runs`,
    { preHandler: run, schema: startRunSchema },
    startRun(engine, runs, keeper),
  );
  app.get(`${base}/runs`, { preHandler: read, schema: listRunsSchema }, listRuns(runs));
  app.get(`${base}/runs/:runId`, { preHandler: read, schema: getRunSchema }, getRun(runs));
  app.get(`${base}/runs/:runId/steps/:stepId`, { preHandler: read, schema: getStepSchema }, getStep(runs));
  app.get(`${base}/runs/:runId/events`, { preHandler: read, schema: listEventsSchema }, listEvents(runs));
  app.get(
    `${base}/runs/:runId/events/stream`,
    { preHandler: read, schema: streamEventsSchema },
    streamRunEvents(runs, engine.signals, openStreams),
  );
  app.post(
    `${base}/runs/:runId/cancel`,
    { preHandler: run, schema: cancelRunSchema },
    runAction(runs, null, (id, { by }) => control.cancel(id, by)),
  );
  app.post(
    `${base}/runs/:runId/retry`,
    { preHandler: run, schema: retryRunSchema },
    runAction(runs, keeper, (id, { by, actingUser }) => control.retry(id, by, actingUser)),
  );
  app.post(
    `${base}/runs/:runId/rerun`,
    { preHandler: run, schema: rerunRunSchema },
    runAction(runs, keeper, (id, { by, byName, actingUser }) => control.rerun(id, by, byName, actingUser)),
  );
  app.post(
    `${base}/runs/:runId/steps/:stepId/decision`,
    { preHandler: requireScopes('flow:approve'), schema: decideStepSchema },
    decideStep(runs, control),
  );
}
