import { createHash, randomUUID } from 'node:crypto';
import { type Database, sql } from '@platform/db';
import type { Transaction } from 'kysely';
import type { FlowSchema, RunState, StepState } from '../db/schema.ts';
import { backoffDelay, type Definition, type StepSpec } from '../definitions/definition.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import { render } from '../definitions/template.ts';
import { appendEvents, type EngineSignals, type PendingEvent } from './events.ts';
import type { Guard, Outcome } from './outcome.ts';

// Every state change of runs and steps, each inside the caller's transaction. The engine loop, the API
// (start, cancel, retry, decide) and the sweeps all go through these, so a transition means the same
// thing wherever it comes from, and each is guarded by the state it expects (a late or duplicate
// completion updates no row and is dropped).

const ACTIVE_RUN: RunState[] = ['pending', 'running', 'waiting'];
const ACTIVE_STEP: StepState[] = ['pending', 'running', 'waiting'];

export class StartError extends Error {
  override name = 'StartError';
  readonly code: 'not_found' | 'idempotency_mismatch';
  constructor(code: 'not_found' | 'idempotency_mismatch', message: string) {
    super(message);
    this.code = code;
  }
}

/** What one transaction did, acted on after it commits. */
export interface TxContext {
  trx: Transaction<FlowSchema>;
  now: number;
  events: PendingEvent[];
  /** Runs whose local executions must stop (cancelled, failed, timed out). */
  abortRuns: Set<string>;
  wake: boolean;
  /** Earliest future ready_at this transaction scheduled (retries, delays). */
  nextAt: number;
  finished: Array<{ state: RunState }>;
  stepResults: Array<{ type: string; state: StepState; durationMs: number }>;
}

export interface StepTarget {
  runId: string;
  stepId: string;
  definitionId: string;
  definitionVersion: number;
  type: string;
  attempt: number;
  startedAt: number;
  childRunId: string | null;
}

export interface ClaimedStep extends StepTarget {
  readyAt: number | null;
  waitedAt: number | null;
}

export interface StartRunInput {
  definitionId: string;
  version?: number;
  input: unknown;
  idempotencyKey?: string;
  trigger: 'api' | 'schedule' | 'subflow' | 'rerun';
  createdBy: string;
  parent?: { runId: string; stepId: string };
  rerunOf?: string;
  scheduleId?: string;
}

export interface StoreOptions {
  workerId: string;
  leaseMs: number;
  now?: () => number;
  /** Called after every committed transaction (aborts local work of ended runs, records metrics). */
  onCommit?: (ctx: TxContext) => void;
}

/** Rows per batched statement: keeps the SQL and its parameters well under both dialects' limits. */
const BATCH = 200;

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

function isRetryableTxError(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '40P01' || code === '40001';
}

export function requestHash(definitionId: string, version: number | undefined, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([definitionId, version ?? null, input ?? null]))
    .digest('hex');
}

export type Store = ReturnType<typeof createStore>;

export function createStore(
  database: Database<FlowSchema>,
  definitions: DefinitionsRepository,
  signals: EngineSignals,
  options: StoreOptions,
) {
  const { db, dialect } = database;
  const clock = options.now ?? Date.now;

  async function loadDefinition(id: string, version: number): Promise<Definition> {
    const definition = await definitions.load(id, version);
    if (!definition) throw new Error(`definition ${id}@${version} is missing`);
    return definition;
  }

  /**
   * Runs `work` in one transaction, retrying on PostgreSQL deadlocks/serialization failures (two instances
   * touching the same runs), then announces what changed.
   */
  async function transaction<T>(
    work: (ctx: TxContext) => Promise<T>,
  ): Promise<{ result: T; ctx: TxContext }> {
    for (let tries = 1; ; tries += 1) {
      try {
        let ctx!: TxContext;
        const result = await db.transaction().execute(async (trx) => {
          ctx = {
            trx,
            now: clock(),
            events: [],
            abortRuns: new Set(),
            wake: false,
            nextAt: Number.POSITIVE_INFINITY,
            finished: [],
            stepResults: [],
          };
          const value = await work(ctx);
          await appendEvents(trx, ctx.events, ctx.now, (ids) => lockRuns(trx, ids));
          return value;
        });
        options.onCommit?.(ctx);
        for (const runId of new Set(ctx.events.map((e) => e.runId))) signals.runChanged(runId);
        if (ctx.wake) signals.wake();
        return { result, ctx };
      } catch (error) {
        if (tries < 5 && isRetryableTxError(error)) continue;
        throw error;
      }
    }
  }

  function guardWhere<Q extends { where: (...args: never[]) => Q }>(query: Q, guard: Guard): Q {
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's where overloads do not survive the generic.
    const q = query as any;
    if (guard.state === 'running')
      return q
        .where('state', '=', 'running')
        .where('lease_owner', '=', guard.leaseOwner)
        .where('attempt', '=', guard.attempt);
    if (guard.state === 'waiting') return q.where('state', '=', 'waiting');
    return q.where('state', 'in', ['running', 'waiting']);
  }

  /**
   * PostgreSQL: takes the row locks of these runs in id order before they are updated. Engines on several
   * instances update overlapping runs (a fan-out's branches finish on different workers); locking in one
   * order turns would-be deadlocks (each costing deadlock_timeout, 1 s) into short waits. SQLite has a
   * single writer and needs none. Rows this transaction already holds are not locked again.
   */
  async function lockRuns(trx: Transaction<FlowSchema>, ids: string[]): Promise<void> {
    if (dialect !== 'postgres' || ids.length === 0) return;
    await trx
      .selectFrom('runs')
      .select('id')
      .where('id', 'in', [...new Set(ids)].sort())
      .orderBy('id')
      .forUpdate()
      .execute();
  }

  async function recordAttempt(
    ctx: TxContext,
    target: StepTarget,
    state: StepState,
    worker: string,
    error: string | null,
  ) {
    await ctx.trx
      .insertInto('attempts')
      .values({
        run_id: target.runId,
        step_id: target.stepId,
        attempt: target.attempt,
        state,
        worker,
        error,
        started_at: target.startedAt,
        finished_at: ctx.now,
      })
      .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
      .execute();
    ctx.stepResults.push({ type: target.type, state, durationMs: ctx.now - target.startedAt });
  }

  /** Applies a step's outcome. Returns false when the guard no longer holds (the outcome is dropped). */
  async function applyOutcome(
    ctx: TxContext,
    target: StepTarget,
    guard: Guard,
    outcome: Outcome,
    worker: string,
  ): Promise<boolean> {
    const { trx, now } = ctx;
    const base = trx
      .updateTable('steps')
      .where('run_id', '=', target.runId)
      .where('step_id', '=', target.stepId);
    const inputJson = 'input' in outcome && outcome.input !== undefined ? { input: json(outcome.input) } : {};

    if (outcome.kind === 'wait') {
      const updated = await guardWhere(
        base.set({
          state: 'waiting',
          ready_at: outcome.until,
          lease_owner: null,
          lease_expires_at: null,
          waited_at: now,
          child_run_id: outcome.childRunId ?? target.childRunId,
          ...inputJson,
        }),
        guard,
      ).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      if (outcome.until !== null) ctx.nextAt = Math.min(ctx.nextAt, outcome.until);
      ctx.events.push({
        runId: target.runId,
        stepId: target.stepId,
        type: 'step.waiting',
        data: {
          attempt: target.attempt,
          until: outcome.until === null ? null : new Date(outcome.until).toISOString(),
          ...(outcome.childRunId ? { childRunId: outcome.childRunId } : {}),
        },
      });
      if (outcome.awaitsDecision)
        await trx
          .updateTable('runs')
          .set({ state: 'waiting', updated_at: now })
          .where('id', '=', target.runId)
          .where('state', '=', 'running')
          .execute();
      return true;
    }

    if (outcome.kind === 'succeeded') {
      const updated = await guardWhere(
        base.set({
          state: 'succeeded',
          output: json(outcome.output ?? null),
          error: null,
          finished_at: now,
          ready_at: null,
          lease_owner: null,
          lease_expires_at: null,
          ...inputJson,
        }),
        guard,
      ).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await recordAttempt(ctx, target, 'succeeded', worker, null);
      ctx.events.push({
        runId: target.runId,
        stepId: target.stepId,
        type: 'step.succeeded',
        data: { attempt: target.attempt, durationMs: now - target.startedAt },
      });
      const definition = await loadDefinition(target.definitionId, target.definitionVersion);
      const dependents = definition.dependents.get(target.stepId) ?? [];
      if (dependents.length > 0) {
        // One statement: right-hand sides read the old deps_remaining, so 1 means "this was the last one".
        await trx
          .updateTable('steps')
          .set((eb) => ({
            deps_remaining: eb('deps_remaining', '-', 1),
            ready_at: sql`case when deps_remaining = 1 then ${now} else ready_at end`,
          }))
          .where('run_id', '=', target.runId)
          .where('step_id', 'in', dependents)
          .where('state', '=', 'pending')
          .execute();
        ctx.wake = true;
      }
      const run = await trx
        .updateTable('runs')
        .set((eb) => ({
          steps_remaining: eb('steps_remaining', '-', 1),
          updated_at: now,
          // A decided approval releases the run from `waiting`.
          state: sql`case when state = 'waiting' and ${target.type === 'approval' ? 1 : 0} = 1 then 'running' else state end`,
        }))
        .where('id', '=', target.runId)
        .where('state', 'in', ['running', 'waiting'])
        .returning(['steps_remaining'])
        .executeTakeFirst();
      if (run && Number(run.steps_remaining) <= 0) await finishSucceeded(ctx, target.runId, definition);
      return true;
    }

    // failed
    const definition = await loadDefinition(target.definitionId, target.definitionVersion);
    const spec = definition.byId.get(target.stepId) as StepSpec;
    const attemptState: StepState = outcome.timedOut ? 'timed_out' : 'failed';
    if (outcome.retryable && target.attempt <= spec.retry.max) {
      const delay = backoffDelay(spec.retry, target.attempt);
      const updated = await guardWhere(
        base.set((eb) => ({
          state: 'pending',
          attempt: eb('attempt', '+', 1),
          ready_at: now + delay,
          error: outcome.error,
          lease_owner: null,
          lease_expires_at: null,
          waited_at: null,
          child_run_id: null,
          ...inputJson,
        })),
        guard,
      ).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await recordAttempt(ctx, target, attemptState, worker, outcome.error);
      ctx.nextAt = Math.min(ctx.nextAt, now + delay);
      ctx.events.push({
        runId: target.runId,
        stepId: target.stepId,
        type: 'step.retrying',
        data: {
          attempt: target.attempt,
          state: attemptState,
          error: outcome.error,
          delayMs: delay,
          nextAttempt: target.attempt + 1,
        },
      });
      if (target.childRunId)
        await finishRun(ctx, target.childRunId, 'cancelled', `parent step ${target.stepId} ended`);
      return true;
    }
    const updated = await guardWhere(
      base.set({
        state: attemptState,
        error: outcome.error,
        finished_at: now,
        ready_at: null,
        lease_owner: null,
        lease_expires_at: null,
        ...inputJson,
      }),
      guard,
    ).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await recordAttempt(ctx, target, attemptState, worker, outcome.error);
    ctx.events.push({
      runId: target.runId,
      stepId: target.stepId,
      type: `step.${attemptState}`,
      data: { attempt: target.attempt, error: outcome.error },
    });
    if (target.childRunId)
      await finishRun(ctx, target.childRunId, 'cancelled', `parent step ${target.stepId} ended`);
    await finishRun(
      ctx,
      target.runId,
      'failed',
      `step ${target.stepId} ${attemptState === 'timed_out' ? 'timed out' : 'failed'}: ${outcome.error}`,
    );
    return true;
  }

  async function finishSucceeded(
    ctx: TxContext,
    runId: string,
    definition: Definition,
    preloaded?: Array<{ step_id: string; output: string | null }>,
  ) {
    const rows =
      preloaded ??
      (await ctx.trx.selectFrom('steps').select(['step_id', 'output']).where('run_id', '=', runId).execute());
    await finishRun(ctx, runId, 'succeeded', null, await succeededOutput(ctx, runId, definition, rows));
  }

  /** A succeeded run's output: the definition's `output` template, or the outputs of its sink steps. */
  async function succeededOutput(
    ctx: TxContext,
    runId: string,
    definition: Definition,
    rows: Array<{ step_id: string; output: string | null }>,
  ): Promise<unknown> {
    const outputs: Record<string, { output: unknown }> = {};
    for (const row of rows)
      outputs[row.step_id] = { output: row.output === null ? null : JSON.parse(row.output) };
    let output: unknown;
    if (definition.output !== undefined) {
      const run = await ctx.trx
        .selectFrom('runs')
        .select('input')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      output = render(definition.output, {
        input: JSON.parse(run.input),
        run: { id: runId, definition: definition.id, version: definition.version },
        steps: outputs,
      });
    } else {
      const sinks: Record<string, unknown> = {};
      for (const id of definition.sinks) sinks[id] = outputs[id]?.output ?? null;
      output = sinks;
    }
    return output;
  }

  /**
   * The hot path: many claimed steps that succeeded, applied with a fixed number of statements however many
   * there are (one UPDATE of the steps, one INSERT of attempts, one UPDATE per distinct fan-in count for
   * dependents, one UPDATE of the runs' counters, one SELECT of finished runs' outputs). Approval steps
   * are not batched (their success also changes the run's state).
   */
  async function applySuccesses(
    ctx: TxContext,
    items: Array<{ target: StepTarget; output: unknown; input: unknown }>,
    worker: string,
  ): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH)
      await applySuccessChunk(ctx, items.slice(i, i + BATCH), worker);
  }

  async function applySuccessChunk(
    ctx: TxContext,
    items: Array<{ target: StepTarget; output: unknown; input: unknown }>,
    worker: string,
  ): Promise<void> {
    if (items.length === 0) return;
    const { trx, now } = ctx;
    const keyOf = (runId: string, stepId: string) => `${runId}\u0000${stepId}`;
    const byKey = new Map(items.map((item) => [keyOf(item.target.runId, item.target.stepId), item]));
    // JSON text per row; PostgreSQL's jsonb columns need the CASE's text result cast.
    const when = (value: (item: (typeof items)[number]) => string | null) => {
      const cases = sql<string>`case ${sql.join(
        items.map(
          (item) =>
            sql`when run_id = ${item.target.runId} and step_id = ${item.target.stepId} then ${value(item)}`,
        ),
        sql` `,
      )} end`;
      return dialect === 'postgres' ? sql<string>`cast(${cases} as jsonb)` : cases;
    };
    await lockRuns(
      trx,
      items.map((item) => item.target.runId),
    );
    const updated = await trx
      .updateTable('steps')
      .set({
        state: 'succeeded',
        output: when((item) => json(item.output ?? null)),
        input: when((item) => json(item.input ?? null)),
        error: null,
        finished_at: now,
        ready_at: null,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('run_id', 'step_id', 'attempt'),
          'in',
          items.map((item) => tuple(item.target.runId, item.target.stepId, item.target.attempt)),
        ),
      )
      .where('state', '=', 'running')
      .where('lease_owner', '=', worker)
      .returning(['run_id', 'step_id'])
      .execute();
    if (updated.length === 0) return;
    const applied = updated.map((row) => byKey.get(keyOf(row.run_id, row.step_id)) as (typeof items)[number]);
    await trx
      .insertInto('attempts')
      .values(
        applied.map(({ target }) => ({
          run_id: target.runId,
          step_id: target.stepId,
          attempt: target.attempt,
          state: 'succeeded' as const,
          worker,
          error: null,
          started_at: target.startedAt,
          finished_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
      .execute();

    const decrements = new Map<string, { runId: string; stepId: string; by: number }>();
    const perRun = new Map<string, number>();
    const definitionsOf = new Map<string, Definition>();
    for (const { target } of applied) {
      ctx.stepResults.push({ type: target.type, state: 'succeeded', durationMs: now - target.startedAt });
      ctx.events.push({
        runId: target.runId,
        stepId: target.stepId,
        type: 'step.succeeded',
        data: { attempt: target.attempt, durationMs: now - target.startedAt },
      });
      perRun.set(target.runId, (perRun.get(target.runId) ?? 0) + 1);
      const definition = await loadDefinition(target.definitionId, target.definitionVersion);
      definitionsOf.set(target.runId, definition);
      for (const dependent of definition.dependents.get(target.stepId) ?? []) {
        const key = keyOf(target.runId, dependent);
        const entry = decrements.get(key) ?? { runId: target.runId, stepId: dependent, by: 0 };
        entry.by += 1;
        decrements.set(key, entry);
      }
    }
    const byCount = new Map<number, Array<{ runId: string; stepId: string }>>();
    for (const entry of decrements.values()) byCount.set(entry.by, [...(byCount.get(entry.by) ?? []), entry]);
    for (const [by, targets] of byCount) {
      await trx
        .updateTable('steps')
        .set((eb) => ({
          deps_remaining: eb('deps_remaining', '-', by),
          ready_at: sql`case when deps_remaining = ${by} then ${now} else ready_at end`,
        }))
        .where(({ eb, refTuple, tuple }) =>
          eb(
            refTuple('run_id', 'step_id'),
            'in',
            targets.map((t) => tuple(t.runId, t.stepId)),
          ),
        )
        .where('state', '=', 'pending')
        .execute();
      ctx.wake = true;
    }
    const runIds = [...perRun.keys()];
    const runs = await trx
      .updateTable('runs')
      .set((eb) => ({
        steps_remaining: eb(
          'steps_remaining',
          '-',
          sql<number>`case ${sql.join(
            runIds.map((id) => sql`when id = ${id} then ${perRun.get(id)}`),
            sql` `,
          )} else 0 end`,
        ),
        updated_at: now,
      }))
      .where('id', 'in', runIds)
      .where('state', 'in', ['running', 'waiting'])
      .returning(['id', 'steps_remaining'])
      .execute();
    const finished = runs.filter((run) => Number(run.steps_remaining) <= 0).map((run) => run.id);
    if (finished.length === 0) return;
    const outputs = await trx
      .selectFrom('steps')
      .select(['run_id', 'step_id', 'output'])
      .where('run_id', 'in', finished)
      .execute();
    // Every finished run in one UPDATE (their outputs differ, so a CASE), then each one's follow-ups.
    const results = new Map<string, unknown>();
    for (const runId of finished)
      results.set(
        runId,
        await succeededOutput(
          ctx,
          runId,
          definitionsOf.get(runId) as Definition,
          outputs.filter((row) => row.run_id === runId),
        ),
      );
    const outputCase = sql<string>`case ${sql.join(
      finished.map((id) => sql`when id = ${id} then ${json(results.get(id) ?? null)}`),
      sql` `,
    )} end`;
    const ended = await trx
      .updateTable('runs')
      .set({
        state: 'succeeded',
        error: null,
        output: dialect === 'postgres' ? sql<string>`cast(${outputCase} as jsonb)` : outputCase,
        finished_at: now,
        updated_at: now,
      })
      .where('id', 'in', finished)
      .where('state', 'in', ACTIVE_RUN)
      .returning(['id', 'counted', 'definition_id', 'parent_run_id', 'parent_step_id'])
      .execute();
    for (const run of ended) await afterRunFinished(ctx, run.id, 'succeeded', null, results.get(run.id), run);
  }

  /** Ends a run in a terminal state: cancels what is left, frees its concurrency slot, tells its parent. */
  async function finishRun(
    ctx: TxContext,
    runId: string,
    state: RunState,
    error: string | null,
    output?: unknown,
  ): Promise<boolean> {
    const { trx, now } = ctx;
    const run = await trx
      .updateTable('runs')
      .set({ state, error, output: json(output ?? null), finished_at: now, updated_at: now })
      .where('id', '=', runId)
      .where('state', 'in', ACTIVE_RUN)
      .returning(['counted', 'definition_id', 'parent_run_id', 'parent_step_id'])
      .executeTakeFirst();
    if (!run) return false;
    await afterRunFinished(ctx, runId, state, error, output, run);
    return true;
  }

  /** What follows a run's end: cancel its leftovers, events, free its concurrency slot, tell its parent. */
  async function afterRunFinished(
    ctx: TxContext,
    runId: string,
    state: RunState,
    error: string | null,
    output: unknown,
    run: {
      counted: number;
      definition_id: string;
      parent_run_id: string | null;
      parent_step_id: string | null;
    },
  ): Promise<void> {
    const { trx, now } = ctx;
    ctx.finished.push({ state });
    if (state !== 'succeeded') {
      const left = await trx
        .updateTable('steps')
        .set({
          state: 'cancelled',
          ready_at: null,
          lease_owner: null,
          lease_expires_at: null,
          finished_at: now,
        })
        .where('run_id', '=', runId)
        .where('state', 'in', ACTIVE_STEP)
        .returning(['step_id', 'child_run_id'])
        .execute();
      for (const step of left) {
        ctx.events.push({ runId, stepId: step.step_id, type: 'step.cancelled' });
        if (step.child_run_id)
          await finishRun(ctx, step.child_run_id, 'cancelled', `parent run ${runId} ended ${state}`);
      }
      ctx.abortRuns.add(runId);
    }
    ctx.events.push({ runId, type: `run.${state}`, data: error ? { error } : undefined });
    if (run.counted) await releaseSlot(ctx, run.definition_id);
    if (run.parent_run_id && run.parent_step_id) {
      const parent = await stepTarget(trx, run.parent_run_id, run.parent_step_id);
      if (parent && parent.childRunId === runId) {
        const outcome: Outcome =
          state === 'succeeded'
            ? { kind: 'succeeded', output: output ?? null }
            : {
                kind: 'failed',
                error: `subflow run ${runId} ended ${state}${error ? `: ${error}` : ''}`,
                retryable: state !== 'cancelled',
                timedOut: state === 'timed_out',
              };
        await applyOutcome(
          ctx,
          { ...parent, childRunId: null },
          { state: 'active' },
          outcome,
          `subflow:${runId}`,
        );
      }
    }
  }

  async function stepTarget(
    trx: Transaction<FlowSchema>,
    runId: string,
    stepId: string,
  ): Promise<(StepTarget & { state: StepState }) | undefined> {
    const row = await trx
      .selectFrom('steps')
      .select([
        'run_id',
        'step_id',
        'definition_id',
        'definition_version',
        'type',
        'attempt',
        'started_at',
        'child_run_id',
        'state',
        'waited_at',
      ])
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      runId: row.run_id,
      stepId: row.step_id,
      definitionId: row.definition_id,
      definitionVersion: row.definition_version,
      type: row.type,
      attempt: row.attempt,
      startedAt: row.waited_at ?? row.started_at ?? Date.now(),
      childRunId: row.child_run_id,
      state: row.state,
    };
  }

  async function releaseSlot(ctx: TxContext, definitionId: string) {
    await ctx.trx
      .updateTable('definition_heads')
      .set((eb) => ({ active_runs: eb('active_runs', '-', 1) }))
      .where('id', '=', definitionId)
      .where('active_runs', '>', 0)
      .execute();
    // The freed slot goes to the oldest queued run, in the same transaction.
    const queued = await ctx.trx
      .selectFrom('runs')
      .select(['id', 'definition_version'])
      .where('definition_id', '=', definitionId)
      .where('state', '=', 'pending')
      .orderBy('created_at')
      .orderBy('id')
      .limit(5)
      .execute();
    for (const run of queued) {
      const definition = await loadDefinition(definitionId, run.definition_version);
      if (!(await admit(ctx, run.id, definition))) break;
    }
  }

  /** Takes a concurrency slot if the definition has a limit; starts the run when it got one (or needs none). */
  async function admit(ctx: TxContext, runId: string, definition: Definition): Promise<boolean> {
    const { trx, now } = ctx;
    if (definition.concurrency !== null) {
      const slot = await trx
        .updateTable('definition_heads')
        .set((eb) => ({ active_runs: eb('active_runs', '+', 1) }))
        .where('id', '=', definition.id)
        .where('active_runs', '<', definition.concurrency)
        .executeTakeFirst();
      if (Number(slot.numUpdatedRows) === 0) return false;
    }
    const started = await trx
      .updateTable('runs')
      .set({
        state: 'running',
        started_at: now,
        updated_at: now,
        counted: definition.concurrency !== null ? 1 : 0,
        deadline_at: definition.deadlineMs === null ? null : now + definition.deadlineMs,
      })
      .where('id', '=', runId)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(started.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('steps')
      .set({ ready_at: now })
      .where('run_id', '=', runId)
      .where('state', '=', 'pending')
      .where('deps_remaining', '=', 0)
      .execute();
    ctx.events.push({ runId, type: 'run.started' });
    ctx.wake = true;
    return true;
  }

  async function findByKey(definitionId: string, key: string) {
    return db
      .selectFrom('runs')
      .select(['id', 'request_hash'])
      .where('definition_id', '=', definitionId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /**
   * Creates a run (or returns the one already created with the same Idempotency-Key). Without a
   * concurrency limit the run starts in the same statements that create it: insert run, steps, events.
   */
  async function startRun(input: StartRunInput): Promise<{ runId: string; created: boolean }> {
    const hash = requestHash(input.definitionId, input.version, input.input);
    if (input.idempotencyKey) {
      const existing = await findByKey(input.definitionId, input.idempotencyKey);
      if (existing) return sameKey(existing, hash);
    }
    const definition = await definitions.load(input.definitionId, input.version);
    if (!definition)
      throw new StartError(
        'not_found',
        `definition ${input.definitionId}${input.version ? ` version ${input.version}` : ''} does not exist`,
      );
    const runId = randomUUID();
    try {
      const { ctx } = await transaction(async (ctx) => {
        const { trx, now } = ctx;
        const immediate = definition.concurrency === null;
        await trx
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
        await trx
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
              ready_at: immediate && step.dependsOn.length === 0 ? now : null,
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
        if (input.parent)
          // Linked before the parent step even reports `waiting`, so a child that ends first still finds it.
          await trx
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
      });
      void ctx;
      return { runId, created: true };
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error)) {
        const existing = await findByKey(input.definitionId, input.idempotencyKey);
        if (existing) return sameKey(existing, hash);
      }
      throw error;
    }
  }

  function sameKey(existing: { id: string; request_hash: string | null }, hash: string) {
    if (existing.request_hash !== hash)
      throw new StartError(
        'idempotency_mismatch',
        'this Idempotency-Key was already used for a different request',
      );
    return { runId: existing.id, created: false };
  }

  /** Claims up to `limit` ready steps for this worker (SKIP LOCKED on PostgreSQL). */
  async function claim(ctx: TxContext, limit: number): Promise<ClaimedStep[]> {
    const { trx, now } = ctx;
    const ready = trx
      .selectFrom('steps')
      .select(['run_id', 'step_id'])
      .where('ready_at', '<=', now)
      .where('state', 'in', ['pending', 'waiting'])
      .orderBy('ready_at')
      .limit(limit)
      .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked());
    const rows = await trx
      .updateTable('steps')
      .set({
        state: 'running',
        lease_owner: options.workerId,
        lease_expires_at: now + options.leaseMs,
        started_at: sql`coalesce(started_at, ${now})`,
      })
      .where(({ eb, refTuple }) =>
        eb(refTuple('run_id', 'step_id'), 'in', ready.$asTuple('run_id', 'step_id')),
      )
      .returning([
        'run_id',
        'step_id',
        'definition_id',
        'definition_version',
        'type',
        'attempt',
        'ready_at',
        'waited_at',
        'child_run_id',
      ])
      .execute();
    for (const row of rows)
      ctx.events.push({
        runId: row.run_id,
        stepId: row.step_id,
        type: row.waited_at ? 'step.woken' : 'step.started',
        data: { attempt: row.attempt, worker: options.workerId },
      });
    return rows.map((row) => ({
      runId: row.run_id,
      stepId: row.step_id,
      definitionId: row.definition_id,
      definitionVersion: row.definition_version,
      type: row.type,
      attempt: row.attempt,
      startedAt: now,
      childRunId: row.child_run_id,
      readyAt: row.ready_at,
      waitedAt: row.waited_at,
    }));
  }

  /** Extends the leases of the steps this worker is executing. */
  async function heartbeat(): Promise<void> {
    const now = clock();
    await db
      .updateTable('steps')
      .set({ lease_expires_at: now + options.leaseMs })
      .where('lease_owner', '=', options.workerId)
      .where('state', '=', 'running')
      .execute();
  }

  /**
   * Steps whose worker stopped heartbeating (crashed, killed, partitioned) go back to the queue with the
   * SAME attempt number, so the re-execution carries the same idempotency key as the lost one.
   */
  async function sweepLeases(ctx: TxContext): Promise<number> {
    const rows = await ctx.trx
      .updateTable('steps')
      .set({ state: 'pending', ready_at: ctx.now, lease_owner: null, lease_expires_at: null })
      .where('lease_expires_at', '<', ctx.now)
      .where('state', '=', 'running')
      .returning(['run_id', 'step_id', 'attempt', 'waited_at'])
      .execute();
    for (const row of rows) {
      // A woken step (delay, approval timeout) goes back to waiting; its wake time has passed, so it is claimed again.
      if (row.waited_at !== null)
        await ctx.trx
          .updateTable('steps')
          .set({ state: 'waiting' })
          .where('run_id', '=', row.run_id)
          .where('step_id', '=', row.step_id)
          .execute();
      ctx.events.push({
        runId: row.run_id,
        stepId: row.step_id,
        type: 'step.lease_expired',
        data: { attempt: row.attempt },
      });
    }
    if (rows.length) ctx.wake = true;
    return rows.length;
  }

  /** Runs past their deadline end `timed_out`. */
  async function sweepDeadlines(ctx: TxContext): Promise<number> {
    const due = await ctx.trx
      .selectFrom('runs')
      .select('id')
      .where('deadline_at', '<=', ctx.now)
      .where('state', 'in', ACTIVE_RUN)
      .limit(100)
      .execute();
    for (const run of due) await finishRun(ctx, run.id, 'timed_out', 'the run passed its deadline');
    return due.length;
  }

  async function nextDeadline(): Promise<number | null> {
    const row = await db
      .selectFrom('runs')
      .select((eb) => eb.fn.min('deadline_at').as('next'))
      .where('state', 'in', ACTIVE_RUN)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  async function queueDepth(): Promise<number> {
    const row = await db
      .selectFrom('steps')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ready_at', '<=', clock())
      .where('state', 'in', ['pending', 'waiting'])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  return {
    transaction,
    applyOutcome,
    applySuccesses,
    finishRun,
    stepTarget,
    admit,
    startRun,
    claim,
    heartbeat,
    sweepLeases,
    sweepDeadlines,
    nextDeadline,
    queueDepth,
    loadDefinition,
  };
}
