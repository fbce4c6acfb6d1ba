import type { Kysely } from '@platform/db';
import type { FlowSchema, RunState } from '../db/schema.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';

// Read side of runs for the API and the console: lists, a run with its DAG, step attempts, events.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const parse = (text: string | null) => (text === null ? null : JSON.parse(text));

/**
 * Keyset cursor: `<created_at ms>:<run id>` of the last run of a page. Its pattern is the whole contract,
 * so every cursor the schema admits decodes (one past every run is simply an empty page).
 */
export const CURSOR_PATTERN = '^(\\d{1,15}:[0-9a-f-]{36})?$';

export function encodeCursor(createdAt: number, id: string): string {
  return `${createdAt}:${id}`;
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [createdAt = '0', id = ''] = cursor.split(':');
  return { createdAt: Number(createdAt), id };
}

type Db = Kysely<FlowSchema>;
type RunRow = FlowSchema['runs'];
type StepRow = FlowSchema['steps'];
type Definition = NonNullable<Awaited<ReturnType<DefinitionsRepository['load']>>>;

export interface RunFilter {
  definition?: string;
  state?: RunState;
  limit: number;
  after?: { createdAt: number; id: string };
}

function runSummary(row: RunRow) {
  return {
    id: row.id,
    definition: row.definition_id,
    version: row.definition_version,
    state: row.state,
    trigger: row.trigger,
    created_by: row.created_by,
    created_by_name: row.created_by_name,
    error: row.error,
    parent_run_id: row.parent_run_id,
    rerun_of: row.rerun_of,
    schedule_id: row.schedule_id,
    created_at: new Date(row.created_at).toISOString(),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    deadline_at: iso(row.deadline_at),
  };
}

/** Newest first, a page of `limit` runs after the cursor's run, and the cursor of the next page. */
async function listRuns(db: Db, filter: RunFilter) {
  let query = db.selectFrom('runs').selectAll();
  if (filter.definition) query = query.where('definition_id', '=', filter.definition);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    runs: page.map(runSummary),
    next_cursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

async function findRun(db: Db, id: string) {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A step of the definition with its live state; a step not yet reached has no row and is pending. */
function dagStep(spec: Definition['steps'][number], step: StepRow | undefined) {
  return {
    id: spec.id,
    name: spec.name ?? null,
    type: spec.type,
    depends_on: spec.dependsOn,
    state: step?.state ?? 'pending',
    attempt: step?.attempt ?? 0,
    max_attempts: spec.retry.max + 1,
    error: step?.error ?? null,
    output: parse(step?.output ?? null),
    child_run_id: step?.child_run_id ?? null,
    decision: parse(step?.decision ?? null),
    ready_at: iso(step?.ready_at ?? null),
    started_at: iso(step?.started_at ?? null),
    finished_at: iso(step?.finished_at ?? null),
  };
}

/** The run with its input/output and every step with its dependencies, for drawing the DAG. */
async function runDetail(db: Db, definitions: DefinitionsRepository, id: string) {
  const run = await findRun(db, id);
  if (!run) return undefined;
  const [steps, definition] = await Promise.all([
    db.selectFrom('steps').selectAll().where('run_id', '=', id).execute(),
    definitions.load(run.definition_id, run.definition_version),
  ]);
  const byId = new Map(steps.map((s) => [s.step_id, s]));
  return {
    ...runSummary(run),
    input: parse(run.input),
    output: parse(run.output),
    steps: (definition?.steps ?? []).map((spec) => dagStep(spec, byId.get(spec.id))),
  };
}

function attemptView(a: FlowSchema['attempts']) {
  return {
    attempt: a.attempt,
    state: a.state,
    worker: a.worker,
    error: a.error,
    started_at: iso(a.started_at),
    finished_at: iso(a.finished_at),
    duration_ms: a.finished_at - a.started_at,
  };
}

/** A step with every attempt it made. */
async function stepDetail(db: Db, runId: string, stepId: string) {
  const step = await db
    .selectFrom('steps')
    .selectAll()
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (!step) return undefined;
  const attempts = await db
    .selectFrom('attempts')
    .selectAll()
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .orderBy('attempt')
    .execute();
  return {
    run_id: runId,
    id: stepId,
    type: step.type,
    state: step.state,
    attempt: step.attempt,
    input: parse(step.input),
    output: parse(step.output),
    error: step.error,
    child_run_id: step.child_run_id,
    decision: parse(step.decision),
    lease_owner: step.lease_owner,
    started_at: iso(step.started_at),
    finished_at: iso(step.finished_at),
    attempts: attempts.map(attemptView),
  };
}

async function listEvents(db: Db, runId: string, afterSeq: number, limit: number) {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('run_id', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((e) => ({
    seq: e.seq,
    type: e.type,
    step: e.step_id,
    data: parse(e.data),
    at: new Date(e.created_at).toISOString(),
  }));
}

export function createRunsRepository(db: Db, definitions: DefinitionsRepository) {
  return {
    list: (filter: RunFilter) => listRuns(db, filter),
    summary: async (id: string) => {
      const run = await findRun(db, id);
      return run ? runSummary(run) : undefined;
    },
    get: (id: string) => runDetail(db, definitions, id),
    step: (runId: string, stepId: string) => stepDetail(db, runId, stepId),
    events: (runId: string, afterSeq: number, limit = 500) => listEvents(db, runId, afterSeq, limit),
    exists: async (runId: string) =>
      Boolean(await db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst()),
    isFinished: async (runId: string) => {
      const row = await db.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirst();
      return row ? ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(row.state) : true;
    },
  };
}

export type RunsRepository = ReturnType<typeof createRunsRepository>;
