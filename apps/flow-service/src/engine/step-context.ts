import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { Definition, StepSpec } from '../definitions/definition.ts';
import { collectReferences, type TemplateContext } from '../definitions/template.ts';
import type { ClaimedStep } from './store.ts';

// The template context claimed steps render their input in: the run's input and the outputs of the steps
// they reference, read in two queries for a whole batch of claimed steps.

export interface PreparedStep {
  step: ClaimedStep;
  spec: StepSpec;
  definition: Definition;
}

const keyOf = (runId: string, stepId: string) => `${runId}\u0000${stepId}`;

// Which parts of the run context a step's templates read: computed once per definition version and step.
const needsCache = new WeakMap<StepSpec, { input: boolean; steps: string[] }>();
function needs(spec: StepSpec) {
  let known = needsCache.get(spec);
  if (!known) {
    const refs = collectReferences(spec.input);
    known = {
      input: refs.some((r) => r.root === 'input'),
      steps: [...new Set(refs.filter((r) => r.root === 'steps').map((r) => r.step as string))],
    };
    needsCache.set(spec, known);
  }
  return known;
}

async function runInputs(database: Database<FlowSchema>, runIds: Set<string>) {
  const inputs = new Map<string, unknown>();
  if (runIds.size === 0) return inputs;
  const rows = await database.db
    .selectFrom('runs')
    .select(['id', 'input'])
    .where('id', 'in', [...runIds])
    .execute();
  for (const row of rows) inputs.set(row.id, JSON.parse(row.input));
  return inputs;
}

async function stepOutputs(database: Database<FlowSchema>, keys: Set<string>) {
  const outputs = new Map<string, unknown>();
  if (keys.size === 0) return outputs;
  const wanted = [...keys].map((key) => key.split('\u0000') as [string, string]);
  const rows = await database.db
    .selectFrom('steps')
    .select(['run_id', 'step_id', 'output'])
    .where('run_id', 'in', [...new Set(wanted.map(([run]) => run))])
    .where('step_id', 'in', [...new Set(wanted.map(([, id]) => id))])
    .execute();
  for (const row of rows)
    outputs.set(keyOf(row.run_id, row.step_id), row.output === null ? null : JSON.parse(row.output));
  return outputs;
}

/** Reads what the steps' templates reference; returns each step's template context. */
export async function loadTemplateContexts(database: Database<FlowSchema>, steps: PreparedStep[]) {
  const runIds = new Set<string>();
  const outputKeys = new Set<string>();
  for (const { step, spec } of steps) {
    const need = needs(spec);
    if (need.input) runIds.add(step.runId);
    for (const id of need.steps) outputKeys.add(keyOf(step.runId, id));
  }
  const inputs = await runInputs(database, runIds);
  const outputs = await stepOutputs(database, outputKeys);
  return ({ step, spec, definition }: PreparedStep): TemplateContext => {
    const stepsCtx: TemplateContext['steps'] = {};
    for (const id of needs(spec).steps) stepsCtx[id] = { output: outputs.get(keyOf(step.runId, id)) };
    return {
      input: inputs.get(step.runId),
      run: { id: step.runId, definition: definition.id, version: definition.version },
      steps: stepsCtx,
    };
  };
}
