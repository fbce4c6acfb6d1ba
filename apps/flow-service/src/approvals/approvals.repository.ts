import type { Kysely } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';

// Read side of the approvals inbox: approval steps waiting for a decision, with what a decider needs to
// see (the rendered message, the run's definition and starter) without opening each run.

type Db = Kysely<FlowSchema>;

/**
 * Keyset cursor: `<waited_at ms>:<run id>:<step id>` of the last item of a page. Its pattern is the whole
 * contract, so every cursor the schema admits decodes (one past every item is simply an empty page).
 */
export const APPROVALS_CURSOR_PATTERN = '^(\\d{1,15}:[0-9a-f-]{36}:[a-z0-9][a-z0-9_-]{0,62})?$';

export interface ApprovalsCursor {
  waitedAt: number;
  runId: string;
  stepId: string;
}

export function encodeApprovalsCursor(cursor: ApprovalsCursor): string {
  return `${cursor.waitedAt}:${cursor.runId}:${cursor.stepId}`;
}

export function decodeApprovalsCursor(cursor: string): ApprovalsCursor {
  const [waitedAt = '0', runId = '', stepId = ''] = cursor.split(':');
  return { waitedAt: Number(waitedAt), runId, stepId };
}

export interface ApprovalsFilter {
  definition?: string;
  limit: number;
  after?: ApprovalsCursor;
}

/** The rendered input of an approval step: `{ message?, details? }` (definition.schema.ts). */
function approvalInput(text: string | null): { message: string | null; details: unknown } {
  const input = text === null ? null : (JSON.parse(text) as { message?: unknown; details?: unknown } | null);
  return {
    message: typeof input?.message === 'string' ? input.message : null,
    details: input?.details ?? null,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function waitingApprovals(db: Db) {
  return db
    .selectFrom('steps')
    .innerJoin('runs', 'runs.id', 'steps.run_id')
    .where('steps.type', '=', 'approval')
    .where('steps.state', '=', 'waiting')
    .where('steps.decision', 'is', null);
}

/** Oldest wait first, so the approval waiting longest is on top. */
async function listApprovals(db: Db, filter: ApprovalsFilter) {
  let query = waitingApprovals(db)
    .leftJoin('definitions', (join) =>
      join
        .onRef('definitions.id', '=', 'steps.definition_id')
        .onRef('definitions.version', '=', 'steps.definition_version'),
    )
    .select([
      'steps.run_id',
      'steps.step_id',
      'steps.input',
      'steps.waited_at',
      'steps.ready_at',
      'runs.definition_id',
      'runs.definition_version',
      'runs.created_by',
      'runs.trigger',
      'runs.created_at',
      'definitions.name as definition_name',
      'definitions.document',
    ]);
  if (filter.definition) query = query.where('runs.definition_id', '=', filter.definition);
  if (filter.after) {
    const { waitedAt, runId, stepId } = filter.after;
    query = query.where((eb) =>
      eb.or([
        eb('steps.waited_at', '>', waitedAt),
        eb.and([eb('steps.waited_at', '=', waitedAt), eb('steps.run_id', '>', runId)]),
        eb.and([
          eb('steps.waited_at', '=', waitedAt),
          eb('steps.run_id', '=', runId),
          eb('steps.step_id', '>', stepId),
        ]),
      ]),
    );
  }
  const rows = await query
    .orderBy('steps.waited_at')
    .orderBy('steps.run_id')
    .orderBy('steps.step_id')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    approvals: page.map(approvalItem),
    next_cursor:
      rows.length > filter.limit && last
        ? encodeApprovalsCursor({ waitedAt: last.waited_at ?? 0, runId: last.run_id, stepId: last.step_id })
        : null,
  };
}

interface ApprovalRow {
  run_id: string;
  step_id: string;
  input: string | null;
  waited_at: number | null;
  ready_at: number | null;
  definition_id: string;
  definition_version: number;
  created_by: string;
  trigger: string;
  created_at: number;
  definition_name: string | null;
  document: string | null;
}

/** The step's name as its definition version gives it. */
function stepName(document: string | null, stepId: string): string | null {
  if (document === null) return null;
  const steps = (JSON.parse(document) as { steps?: Array<{ id: string; name?: string }> }).steps ?? [];
  return steps.find((step) => step.id === stepId)?.name ?? null;
}

function approvalItem(row: ApprovalRow) {
  const { message, details } = approvalInput(row.input);
  return {
    run_id: row.run_id,
    definition: row.definition_id,
    definition_name: row.definition_name,
    version: row.definition_version,
    step_id: row.step_id,
    step_name: stepName(row.document, row.step_id),
    message,
    details,
    started_by: row.created_by,
    trigger: row.trigger,
    run_created_at: new Date(row.created_at).toISOString(),
    waiting_since: iso(row.waited_at),
    deadline_at: iso(row.ready_at),
  };
}

async function countApprovals(db: Db): Promise<number> {
  const row = await waitingApprovals(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function createApprovalsRepository(db: Db) {
  return {
    list: (filter: ApprovalsFilter) => listApprovals(db, filter),
    count: () => countApprovals(db),
  };
}

export type ApprovalsRepository = ReturnType<typeof createApprovalsRepository>;
