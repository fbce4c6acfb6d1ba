import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '@platform/db';
import { isUniqueViolation } from '@platform/db';
import { actingUserRow } from '../../acting-user/acting-users.repository.ts';
import type { FlowSchema } from '../../db/schema.ts';
import type { Definition } from '../../definitions/definition.ts';
import type { DefinitionsRepository } from '../../definitions/definitions.repository.ts';
import { StartError, type StartRunInput, type TxContext } from './context.ts';
import { admit } from './run-lifecycle.ts';
import type { RunTransaction } from './transactions.ts';

// Creating a run: its row, its steps and its first events in one transaction, deduplicated by
// Idempotency-Key (the same key and request is the same run; the same key and another request is refused).

export function requestHash(definitionId: string, version: number | undefined, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([definitionId, version ?? null, input ?? null]))
    .digest('hex');
}

export interface StartRunDeps {
  database: Database<FlowSchema>;
  definitions: DefinitionsRepository;
  transaction: RunTransaction;
}

type Started = { runId: string; created: boolean };

async function findByKey(deps: StartRunDeps, definitionId: string, key: string) {
  return deps.database.db
    .selectFrom('runs')
    .select(['id', 'request_hash'])
    .where('definition_id', '=', definitionId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

function sameKey(existing: { id: string; request_hash: string | null }, hash: string): Started {
  if (existing.request_hash !== hash)
    throw new StartError(
      'idempotency_mismatch',
      'this Idempotency-Key was already used for a different request',
    );
  return { runId: existing.id, created: false };
}

async function requireDefinition(deps: StartRunDeps, input: StartRunInput): Promise<Definition> {
  const definition = await deps.definitions.load(input.definitionId, input.version);
  if (definition) return definition;
  throw new StartError(
    'not_found',
    `definition ${input.definitionId}${input.version ? ` version ${input.version}` : ''} does not exist`,
  );
}

/**
 * Creates a run (or returns the one already created with the same Idempotency-Key). Without a
 * concurrency limit the run starts in the same statements that create it: insert run, steps, events.
 */
export async function startRun(deps: StartRunDeps, input: StartRunInput): Promise<Started> {
  const hash = requestHash(input.definitionId, input.version, input.input);
  if (input.idempotencyKey) {
    const existing = await findByKey(deps, input.definitionId, input.idempotencyKey);
    if (existing) return sameKey(existing, hash);
  }
  const definition = await requireDefinition(deps, input);
  const runId = randomUUID();
  try {
    await deps.transaction((ctx) => createRun(ctx, runId, definition, input, hash));
    return { runId, created: true };
  } catch (error) {
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByKey(deps, input.definitionId, input.idempotencyKey);
      if (existing) return sameKey(existing, hash);
    }
    throw error;
  }
}

async function createRun(
  ctx: TxContext,
  runId: string,
  definition: Definition,
  input: StartRunInput,
  hash: string,
) {
  const immediate = definition.concurrency === null;
  await insertRun(ctx, runId, definition, input, hash);
  await insertSteps(ctx, runId, definition);
  await insertActingUser(ctx, runId, input);
  if (input.parent)
    // Linked before the parent step even reports `waiting`, so a child that ends first still finds it.
    await ctx.trx
      .updateTable('steps')
      .set({ child_run_id: runId })
      .where('run_id', '=', input.parent.runId)
      .where('step_id', '=', input.parent.stepId)
      .execute();
  // The run's first events are numbered here: its row is inserted with event_seq already counting them.
  ctx.events.push({
    runId,
    type: 'run.created',
    data: { trigger: input.trigger, version: definition.version },
    seq: 1,
  });
  if (immediate) {
    ctx.events.push({ runId, type: 'run.started', seq: 2 });
    ctx.wake = true;
  } else if (!(await admit(ctx, runId, definition))) {
    ctx.events.push({ runId, type: 'run.queued', data: { concurrency: definition.concurrency } });
  }
}

async function insertRun(
  ctx: TxContext,
  runId: string,
  definition: Definition,
  input: StartRunInput,
  hash: string,
) {
  const { now } = ctx;
  const immediate = definition.concurrency === null;
  await ctx.trx
    .insertInto('runs')
    .values({
      id: runId,
      definition_id: definition.id,
      definition_version: definition.version,
      state: immediate ? 'running' : 'pending',
      input: JSON.stringify(input.input ?? null),
      output: null,
      error: null,
      idempotency_key: input.idempotencyKey ?? null,
      request_hash: input.idempotencyKey ? hash : null,
      trigger: input.trigger,
      parent_run_id: input.parent?.runId ?? null,
      parent_step_id: input.parent?.stepId ?? null,
      rerun_of: input.rerunOf ?? null,
      schedule_id: input.scheduleId ?? null,
      created_by: input.createdBy,
      created_by_name: input.createdByName ?? null,
      steps_remaining: definition.steps.length,
      event_seq: immediate ? 2 : 1,
      counted: 0,
      deadline_at: immediate && definition.deadlineMs !== null ? now + definition.deadlineMs : null,
      created_at: now,
      started_at: immediate ? now : null,
      finished_at: null,
      updated_at: now,
    })
    .execute();
}

/** The user the run acts for: the starter's, or for a subflow its parent run's (while that is active). */
async function insertActingUser(ctx: TxContext, runId: string, input: StartRunInput) {
  if (input.actingUser) {
    await ctx.trx.insertInto('run_acting_users').values(actingUserRow(runId, input.actingUser)).execute();
    return;
  }
  if (!input.parent) return;
  const parent = await ctx.trx
    .selectFrom('run_acting_users')
    .select(['sub', 'sealed_token', 'expires_at'])
    .where('run_id', '=', input.parent.runId)
    .executeTakeFirst();
  if (parent)
    await ctx.trx
      .insertInto('run_acting_users')
      .values({ ...parent, run_id: runId })
      .execute();
}

async function insertSteps(ctx: TxContext, runId: string, definition: Definition) {
  const immediate = definition.concurrency === null;
  await ctx.trx
    .insertInto('steps')
    .values(
      definition.steps.map((step) => ({
        run_id: runId,
        step_id: step.id,
        definition_id: definition.id,
        definition_version: definition.version,
        type: step.type,
        state: 'pending' as const,
        attempt: 1,
        deps_remaining: step.dependsOn.length,
        ready_at: immediate && step.dependsOn.length === 0 ? ctx.now : null,
        lease_owner: null,
        lease_expires_at: null,
        input: null,
        output: null,
        error: null,
        child_run_id: null,
        waited_at: null,
        decision: null,
        started_at: null,
        finished_at: null,
      })),
    )
    .execute();
}
