import { requireScopes } from '@platform/auth';
import type { Database } from '@platform/db';
import { badRequest, notFound, problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { FlowSchema } from '../db/schema.ts';
import { ID_PATTERN } from '../definitions/definition.schema.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import { cronProblem, nextFire } from './cron.ts';
import type { Scheduler } from './scheduler.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const scheduleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    definition: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    overlap: { enum: ['skip', 'allow'] },
    input: { type: 'object', additionalProperties: true },
    enabled: { type: 'boolean' },
    catchup_ms: { type: 'integer' },
    next_fire_at: { type: ['string', 'null'] },
    last_fire_at: { type: ['string', 'null'] },
    created_by: { type: 'string' },
    created_at: { type: 'string' },
  },
} as const;

function view(row: FlowSchema['schedules']) {
  return {
    id: row.id,
    definition: row.definition_id,
    cron: row.cron,
    timezone: row.timezone,
    overlap: row.overlap,
    input: JSON.parse(row.input),
    enabled: row.enabled === 1,
    catchup_ms: row.catchup_ms,
    next_fire_at: iso(row.next_fire_at),
    last_fire_at: iso(row.last_fire_at),
    created_by: row.created_by,
    created_at: iso(row.created_at) as string,
  };
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export function scheduleRoutes(
  app: FastifyInstance,
  database: Database<FlowSchema>,
  scheduler: Scheduler,
  definitions: DefinitionsRepository,
  defaultCatchupMs: number,
): void {
  const { db } = database;

  app.post<{
    Body: {
      definition: string;
      cron: string;
      timezone?: string;
      overlap?: 'skip' | 'allow';
      input?: Record<string, unknown>;
      enabled?: boolean;
      catchup_ms?: number;
    };
  }>(
    '/flow/api/v1/schedules',
    {
      preHandler: requireScopes('flow:write'),
      schema: {
        summary: 'Create a cron schedule for a definition (needs flow:write)',
        security: [{ bearer: ['flow:write'] }],
        body: {
          type: 'object',
          required: ['definition', 'cron'],
          additionalProperties: false,
          properties: {
            definition: { type: 'string', pattern: ID_PATTERN },
            cron: { type: 'string', minLength: 1, maxLength: 120 },
            timezone: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC' },
            overlap: { enum: ['skip', 'allow'], default: 'skip' },
            input: { type: 'object' },
            enabled: { type: 'boolean', default: true },
            catchup_ms: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 * 1000 },
          },
        },
        response: { 201: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const timezone = body.timezone ?? 'UTC';
      const problem = cronProblem(body.cron, timezone);
      if (problem)
        throw badRequest(problem, {
          errors: [{ path: problem.startsWith('timezone') ? '/timezone' : '/cron', message: problem }],
        });
      if ((await definitions.latestVersion(body.definition)) === undefined)
        throw notFound(`definition ${body.definition} does not exist`);
      const row = await scheduler.create({
        definitionId: body.definition,
        cron: body.cron,
        timezone,
        overlap: body.overlap ?? 'skip',
        input: body.input ?? {},
        enabled: body.enabled ?? true,
        catchupMs: body.catchup_ms ?? defaultCatchupMs,
        createdBy: request.token!.sub,
      });
      return reply.status(201).header('location', `/flow/api/v1/schedules/${row.id}`).send(view(row));
    },
  );

  app.get(
    '/flow/api/v1/schedules',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'List schedules (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        response: {
          200: { type: 'object', properties: { schedules: { type: 'array', items: scheduleSchema } } },
          ...problemResponses(401, 403),
        },
      },
    },
    async () => ({
      schedules: (await db.selectFrom('schedules').selectAll().orderBy('created_at').execute()).map(view),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/flow/api/v1/schedules/:id',
    {
      preHandler: requireScopes('flow:read'),
      schema: {
        summary: 'A schedule (needs flow:read)',
        security: [{ bearer: ['flow:read'] }],
        params: idParams,
        response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('schedules')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw notFound(`schedule ${request.params.id} does not exist`);
      return view(row);
    },
  );

  app.patch<{ Params: { id: string }; Body: { enabled: boolean } }>(
    '/flow/api/v1/schedules/:id',
    {
      preHandler: requireScopes('flow:write'),
      schema: {
        summary: 'Pause or resume a schedule (needs flow:write)',
        security: [{ bearer: ['flow:write'] }],
        params: idParams,
        body: {
          type: 'object',
          required: ['enabled'],
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' } },
        },
        response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('schedules')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw notFound(`schedule ${request.params.id} does not exist`);
      const now = Date.now();
      // Resuming starts from now: the time spent paused is not caught up.
      const next = request.body.enabled
        ? row.enabled
          ? row.next_fire_at
          : nextFire(row.cron, row.timezone, now)
        : row.next_fire_at;
      await db
        .updateTable('schedules')
        .set({ enabled: request.body.enabled ? 1 : 0, next_fire_at: next, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      return view({ ...row, enabled: request.body.enabled ? 1 : 0, next_fire_at: next });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/flow/api/v1/schedules/:id',
    {
      preHandler: requireScopes('flow:write'),
      schema: {
        summary: 'Delete a schedule (needs flow:write)',
        security: [{ bearer: ['flow:write'] }],
        params: idParams,
        response: {
          204: { type: 'null', description: 'Deleted; no body.' },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const result = await db.deleteFrom('schedules').where('id', '=', request.params.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(`schedule ${request.params.id} does not exist`);
      return reply.status(204).send();
    },
  );
}
