import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { StartRunInput, Store } from './store.ts';

// Operator actions on runs: cancel, retry from the failed step, rerun, and approval decisions.

export class ControlError extends Error {
  override name = 'ControlError';
  readonly code: 'not_found' | 'conflict';
  constructor(code: 'not_found' | 'conflict', message: string) {
    super(message);
    this.code = code;
  }
}

export interface Decision {
  decision: 'approve' | 'reject';
  comment?: string;
  by: string;
}

export function runControl(
  database: Database<FlowSchema>,
  store: Store,
  startRun: (input: StartRunInput) => Promise<{ runId: string }> = store.startRun,
) {
  const { db } = database;

  async function requireRun(runId: string) {
    const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!run) throw new ControlError('not_found', `run ${runId} does not exist`);
    return run;
  }

  return {
    async cancel(runId: string, by: string): Promise<void> {
      const run = await requireRun(runId);
      const { result } = await store.transaction(async (ctx) => {
        const done = await store.finishRun(ctx, runId, 'cancelled', `cancelled by ${by}`);
        return done;
      });
      if (!result) throw new ControlError('conflict', `run ${runId} already ended (${run.state})`);
    },

    /**
     * Retry from the failed step: steps that succeeded keep their outputs; the others go back to pending
     * (a step that ran gets a new attempt number, so a new idempotency key), and the run starts again.
     */
    async retry(runId: string, by: string): Promise<void> {
      await requireRun(runId);
      const { result } = await store.transaction(async (ctx) => {
        const { trx, now } = ctx;
        const run = await trx
          .selectFrom('runs')
          .selectAll()
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        if (!['failed', 'timed_out', 'cancelled'].includes(run.state)) return run.state;
        const definition = await store.loadDefinition(run.definition_id, run.definition_version);
        const steps = await trx
          .selectFrom('steps')
          .select(['step_id', 'state', 'attempt', 'started_at'])
          .where('run_id', '=', runId)
          .execute();
        const succeeded = new Set(steps.filter((s) => s.state === 'succeeded').map((s) => s.step_id));
        const redo = steps.filter((s) => s.state !== 'succeeded');
        for (const step of redo) {
          const spec = definition.byId.get(step.step_id);
          const deps = (spec?.dependsOn ?? []).filter((d) => !succeeded.has(d)).length;
          await trx
            .updateTable('steps')
            .set({
              state: 'pending',
              attempt: step.started_at === null ? step.attempt : step.attempt + 1,
              deps_remaining: deps,
              ready_at: null,
              lease_owner: null,
              lease_expires_at: null,
              error: null,
              output: null,
              child_run_id: null,
              waited_at: null,
              decision: null,
              started_at: null,
              finished_at: null,
            })
            .where('run_id', '=', runId)
            .where('step_id', '=', step.step_id)
            .execute();
        }
        await trx
          .updateTable('runs')
          .set({
            state: 'pending',
            error: null,
            output: null,
            finished_at: null,
            updated_at: now,
            steps_remaining: redo.length,
            counted: 0,
          })
          .where('id', '=', runId)
          .execute();
        ctx.events.push({ runId, type: 'run.retried', data: { by, steps: redo.map((s) => s.step_id) } });
        if (!(await store.admit(ctx, runId, definition)))
          ctx.events.push({ runId, type: 'run.queued', data: { concurrency: definition.concurrency } });
        return 'ok';
      });
      if (result !== 'ok')
        throw new ControlError(
          'conflict',
          `run ${runId} is ${result}; only failed, timed out or cancelled runs can be retried`,
        );
    },

    /** A new run of the same definition version with the same input. */
    async rerun(runId: string, by: string): Promise<string> {
      const run = await requireRun(runId);
      const { runId: created } = await startRun({
        definitionId: run.definition_id,
        version: run.definition_version,
        input: JSON.parse(run.input),
        trigger: 'rerun',
        createdBy: by,
        rerunOf: runId,
      });
      return created;
    },

    async decide(runId: string, stepId: string, decision: Decision): Promise<void> {
      await requireRun(runId);
      const { result } = await store.transaction(async (ctx) => {
        const target = await store.stepTarget(ctx.trx, runId, stepId);
        if (!target) return 'missing';
        if (target.type !== 'approval') return 'not_approval';
        const record = {
          decision: decision.decision,
          comment: decision.comment ?? null,
          by: decision.by,
          at: new Date(ctx.now).toISOString(),
        };
        const applied = await store.applyOutcome(
          ctx,
          target,
          { state: 'waiting' },
          decision.decision === 'approve'
            ? { kind: 'succeeded', output: record }
            : {
                kind: 'failed',
                error: `rejected by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`,
                retryable: false,
              },
          `decision:${decision.by}`,
        );
        if (!applied) return `state:${target.state}`;
        await ctx.trx
          .updateTable('steps')
          .set({ decision: JSON.stringify(record) })
          .where('run_id', '=', runId)
          .where('step_id', '=', stepId)
          .execute();
        ctx.events.push({ runId, stepId, type: 'step.decided', data: record });
        return 'ok';
      });
      if (result === 'missing') throw new ControlError('not_found', `run ${runId} has no step ${stepId}`);
      if (result === 'not_approval')
        throw new ControlError('conflict', `step ${stepId} is not an approval step`);
      if (result !== 'ok')
        throw new ControlError(
          'conflict',
          `step ${stepId} is not waiting for a decision (it is ${result.slice(6)})`,
        );
    },
  };
}
