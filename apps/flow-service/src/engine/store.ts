import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { Definition } from '../definitions/definition.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import type { EngineSignals } from './events.ts';
import type { StartRunInput, StoreCore, StoreOptions } from './store/context.ts';
import { claim, heartbeat, queueDepth, sweepLeases } from './store/leases.ts';
import { admit, finishRun, nextDeadline, stepTarget, sweepDeadlines } from './store/run-lifecycle.ts';
import { startRun } from './store/start-run.ts';
import { applyOutcome } from './store/step-outcomes.ts';
import { applySuccesses } from './store/success-batch.ts';
import { createTransaction } from './store/transactions.ts';

// Every state change of runs and steps, each inside the caller's transaction. The engine loop, the API
// (start, cancel, retry, decide) and the sweeps all go through these, so a transition means the same
// thing wherever it comes from, and each is guarded by the state it expects (a late or duplicate
// completion updates no row and is dropped). The modules under store/ hold them by responsibility:
// transactions, run lifecycle (start-run, run-lifecycle), step outcomes (step-outcomes, success-batch)
// and leases.

export {
  type ClaimedStep,
  StartError,
  type StartRunInput,
  type StepTarget,
  type StoreOptions,
  type TxContext,
} from './store/context.ts';
export { requestHash } from './store/start-run.ts';

export type Store = ReturnType<typeof createStore>;

export function createStore(
  database: Database<FlowSchema>,
  definitions: DefinitionsRepository,
  signals: EngineSignals,
  options: StoreOptions,
) {
  const clock = options.now ?? Date.now;
  const transaction = createTransaction(database, signals, options, clock);
  const core: StoreCore = {
    database,
    clock,
    options,
    async loadDefinition(id: string, version: number): Promise<Definition> {
      const definition = await definitions.load(id, version);
      if (!definition) throw new Error(`definition ${id}@${version} is missing`);
      return definition;
    },
    applyOutcome: (ctx, target, guard, outcome, worker) =>
      applyOutcome(core, ctx, target, guard, outcome, worker),
  };
  const withCore =
    <A extends unknown[], R>(fn: (core: StoreCore, ...args: A) => R) =>
    (...args: A) =>
      fn(core, ...args);
  return {
    transaction,
    applyOutcome: core.applyOutcome,
    applySuccesses: withCore(applySuccesses),
    finishRun: withCore(finishRun),
    stepTarget,
    admit,
    startRun: (input: StartRunInput) => startRun({ database, definitions, transaction }, input),
    claim: withCore(claim),
    heartbeat: withCore(heartbeat),
    sweepLeases,
    sweepDeadlines: withCore(sweepDeadlines),
    nextDeadline: withCore(nextDeadline),
    queueDepth: withCore(queueDepth),
    loadDefinition: core.loadDefinition,
  };
}
