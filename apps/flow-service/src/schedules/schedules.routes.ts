import { requireScopes } from '@platform/auth';
import { type App, badRequest, type Handler, notFound } from '@platform/http';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import { cronProblem } from './cron.ts';
import type { Scheduler } from './scheduler.ts';
import { type SchedulesRepository, scheduleView } from './schedules.repository.ts';
import {
  createScheduleSchema,
  deleteScheduleSchema,
  getScheduleSchema,
  listSchedulesSchema,
  updateScheduleSchema,
} from './schedules.schemas.ts';

export interface ScheduleRouteOptions {
  scheduler: Scheduler;
  schedules: SchedulesRepository;
  definitions: DefinitionsRepository;
  /** How far back missed fire times are still fired, for schedules that do not say. */
  defaultCatchupMs: number;
}

/** A cron pattern or time zone that does not work is a 400 naming the field. */
function checkCron(cron: string, timezone: string): void {
  const problem = cronProblem(cron, timezone);
  if (problem)
    throw badRequest(problem, {
      errors: [{ path: problem.startsWith('timezone') ? '/timezone' : '/cron', message: problem }],
    });
}

const createSchedule =
  ({
    scheduler,
    definitions,
    defaultCatchupMs,
  }: ScheduleRouteOptions): Handler<typeof createScheduleSchema> =>
  async (request, reply) => {
    const body = request.body;
    const timezone = body.timezone ?? 'UTC';
    checkCron(body.cron, timezone);
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
    return reply.status(201).header('location', `/flow/api/v1/schedules/${row.id}`).send(scheduleView(row));
  };

const listSchedules =
  (schedules: SchedulesRepository): Handler<typeof listSchedulesSchema> =>
  async (request) => ({ schedules: await schedules.list(request.query.definition) });

const getSchedule =
  (schedules: SchedulesRepository): Handler<typeof getScheduleSchema> =>
  async (request) => {
    const schedule = await schedules.get(request.params.id);
    if (!schedule) throw notFound(`schedule ${request.params.id} does not exist`);
    return schedule;
  };

const updateSchedule =
  (schedules: SchedulesRepository): Handler<typeof updateScheduleSchema> =>
  async (request) => {
    const { id } = request.params;
    const stored = await schedules.find(id);
    if (!stored) throw notFound(`schedule ${id} does not exist`);
    const { cron, timezone } = request.body;
    if (cron !== undefined || timezone !== undefined)
      checkCron(cron ?? stored.cron, timezone ?? stored.timezone);
    const schedule = await schedules.update(id, request.body);
    if (!schedule) throw notFound(`schedule ${id} does not exist`);
    return schedule;
  };

const deleteSchedule =
  (schedules: SchedulesRepository): Handler<typeof deleteScheduleSchema> =>
  async (request, reply) => {
    if (!(await schedules.remove(request.params.id)))
      throw notFound(`schedule ${request.params.id} does not exist`);
    return reply.status(204).send();
  };

export function scheduleRoutes(app: App, options: ScheduleRouteOptions): void {
  const read = requireScopes('flow:read');
  const write = requireScopes('flow:write');
  const { schedules } = options;
  app.post(
    '/flow/api/v1/schedules',
    { preHandler: write, schema: createScheduleSchema },
    createSchedule(options),
  );
  app.get(
    '/flow/api/v1/schedules',
    { preHandler: read, schema: listSchedulesSchema },
    listSchedules(schedules),
  );
  app.get(
    '/flow/api/v1/schedules/:id',
    { preHandler: read, schema: getScheduleSchema },
    getSchedule(schedules),
  );
  app.patch(
    '/flow/api/v1/schedules/:id',
    { preHandler: write, schema: updateScheduleSchema },
    updateSchedule(schedules),
  );
  app.delete(
    '/flow/api/v1/schedules/:id',
    { preHandler: write, schema: deleteScheduleSchema },
    deleteSchedule(schedules),
  );
}
