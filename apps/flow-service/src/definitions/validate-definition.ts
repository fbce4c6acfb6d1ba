import { Ajv, type ErrorObject } from 'ajv';
import { definitionSchema } from './definition.schema.ts';
import { type Definition, NO_RETRY, type RetryPolicy, type StepSpec } from './definition.ts';
import { DefinitionError, type DefinitionIssue } from './definition-error.ts';
import { durationMs } from './duration.ts';
import { readYamlDefinition } from './source-positions.ts';
import { collectReferences, TemplateError } from './template.ts';

export { DefinitionError, type DefinitionIssue };

// Compiled once: validation is per request, schema compilation is not.
const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(definitionSchema);

// `if/then` and `oneOf` wrappers only restate their branches' errors; keep the ones that say what is wrong.
const NOISE = new Set(['if', 'oneOf', 'allOf']);

function schemaIssues(errors: ErrorObject[]): DefinitionIssue[] {
  const seen = new Set<string>();
  const issues: DefinitionIssue[] = [];
  for (const error of errors) {
    if (NOISE.has(error.keyword)) continue;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties')
      message = `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    if (error.keyword === 'enum')
      message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    const key = `${error.instancePath} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: error.instancePath, message });
  }
  return issues.slice(0, 50);
}

/** Reads the request body: a parsed JSON value, or YAML/JSON text. */
export function parseDefinitionSource(body: unknown): unknown {
  return typeof body === 'string' ? readYamlDefinition(body).document : body;
}

type RawRetry = {
  max?: number;
  backoff?: 'fixed' | 'exponential';
  initial?: number | string;
  maxDelay?: number | string;
  jitter?: number;
};
interface RawStep {
  id: string;
  type: StepSpec['type'];
  name?: string;
  dependsOn?: string[];
  input?: unknown;
  retry?: RawRetry;
  timeout?: number | string;
  onTimeout?: 'approve' | 'reject';
}
interface RawDefinition {
  id: string;
  name?: string;
  description?: string;
  deadline?: number | string;
  concurrency?: number;
  defaults?: { retry?: RawRetry; timeout?: number | string };
  output?: unknown;
  steps: RawStep[];
}

function retryPolicy(raw: RawRetry | undefined, fallback: RetryPolicy): RetryPolicy {
  if (!raw) return fallback;
  return {
    max: raw.max ?? fallback.max,
    backoff: raw.backoff ?? fallback.backoff,
    initialMs: raw.initial === undefined ? fallback.initialMs : durationMs(raw.initial),
    maxDelayMs: raw.maxDelay === undefined ? fallback.maxDelayMs : durationMs(raw.maxDelay),
    jitter: raw.jitter ?? fallback.jitter,
  };
}

/** Finds a cycle among the steps (ids only), returned in order with the first id repeated at the end. */
function findCycle(steps: RawStep[]): string[] | null {
  const deps = new Map(steps.map((s) => [s.id, s.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const step of steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return null;
}

/** Each step's position by id; a repeated id is an issue (the first one keeps the id). */
function indexSteps(steps: RawStep[], issues: DefinitionIssue[]): Map<string, number> {
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.id))
      issues.push({
        path: `/steps/${i}/id`,
        message: `duplicate step id "${step.id}" (first at /steps/${index.get(step.id)})`,
      });
    else index.set(step.id, i);
  });
  return index;
}

function dependencyIssues(steps: RawStep[], index: Map<string, number>): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  steps.forEach((step, i) => {
    (step.dependsOn ?? []).forEach((dep, j) => {
      if (!index.has(dep))
        issues.push({ path: `/steps/${i}/dependsOn/${j}`, message: `unknown step "${dep}"` });
      else if (dep === step.id)
        issues.push({ path: `/steps/${i}/dependsOn/${j}`, message: `step "${dep}" depends on itself` });
    });
  });
  return issues;
}

/** A cycle as an issue at the dependency that closes it, or null. */
function cycleIssue(steps: RawStep[], index: Map<string, number>): DefinitionIssue | null {
  const cycle = findCycle(steps);
  if (!cycle) return null;
  const from = cycle[0] as string;
  const to = cycle[1] as string;
  const i = index.get(from) as number;
  const j = (steps[i]?.dependsOn ?? []).indexOf(to);
  return { path: `/steps/${i}/dependsOn/${j}`, message: `cycle: ${cycle.join(' -> ')}` };
}

/**
 * Templates that do not parse, or that read a step which is unknown or not upstream of the step using
 * them: its output would not exist when the step runs. The definition's output may read any step.
 */
function templateIssues(raw: RawDefinition, index: Map<string, number>): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const upstream = new Map<string, Set<string>>();
  const upstreamOf = (id: string): Set<string> => {
    const known = upstream.get(id);
    if (known) return known;
    const set = new Set<string>();
    for (const dep of raw.steps[index.get(id) as number]?.dependsOn ?? []) {
      set.add(dep);
      for (const up of upstreamOf(dep)) set.add(up);
    }
    upstream.set(id, set);
    return set;
  };
  const check = (value: unknown, base: string, allowed: Set<string> | 'all') =>
    issues.push(...referenceIssues(value, base, index, allowed));
  for (const [i, step] of raw.steps.entries()) check(step.input, `/steps/${i}/input`, upstreamOf(step.id));
  if (raw.output !== undefined) check(raw.output, '/output', 'all');
  return issues;
}

function referenceIssues(
  value: unknown,
  base: string,
  index: Map<string, number>,
  allowed: Set<string> | 'all',
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  try {
    for (const ref of collectReferences(value, base)) {
      if (ref.root === 'steps' && !index.has(ref.step as string))
        issues.push({ path: ref.pointer, message: `template reads unknown step "${ref.step}"` });
      else if (ref.root === 'steps' && allowed !== 'all' && !allowed.has(ref.step as string))
        issues.push({
          path: ref.pointer,
          message: `template reads step "${ref.step}", which is not upstream of this step (add it to dependsOn)`,
        });
    }
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    issues.push({
      path: (error as TemplateError & { pointer?: string }).pointer ?? base,
      message: `bad template: ${error.message}`,
    });
  }
  return issues;
}

/** The checked document as the engine runs it: durations in ms, defaults applied, dependents indexed. */
function buildDefinition(raw: RawDefinition, version: number): Definition {
  const defaultRetry = retryPolicy(raw.defaults?.retry, NO_RETRY);
  const defaultTimeout = raw.defaults?.timeout === undefined ? null : durationMs(raw.defaults.timeout);
  const steps: StepSpec[] = raw.steps.map((step) => ({
    id: step.id,
    type: step.type,
    ...(step.name ? { name: step.name } : {}),
    dependsOn: step.dependsOn ?? [],
    input: step.input ?? {},
    retry: retryPolicy(step.retry, defaultRetry),
    timeoutMs: step.timeout === undefined ? defaultTimeout : durationMs(step.timeout),
    ...(step.onTimeout ? { onTimeout: step.onTimeout } : {}),
  }));
  const dependents = new Map<string, string[]>(steps.map((s) => [s.id, []]));
  for (const step of steps) for (const dep of step.dependsOn) dependents.get(dep)?.push(step.id);
  return {
    id: raw.id,
    version,
    ...(raw.name ? { name: raw.name } : {}),
    ...(raw.description ? { description: raw.description } : {}),
    deadlineMs: raw.deadline === undefined ? null : durationMs(raw.deadline),
    concurrency: raw.concurrency ?? null,
    ...(raw.output !== undefined ? { output: raw.output } : {}),
    steps,
    byId: new Map(steps.map((s) => [s.id, s])),
    dependents,
    sinks: steps.filter((s) => (dependents.get(s.id) ?? []).length === 0).map((s) => s.id),
  };
}

/**
 * Validates a definition document (already parsed) and compiles it. Throws DefinitionError listing every
 * fault with its JSON Pointer: schema violations, duplicate ids, unknown dependencies, a cycle, and
 * templates that do not parse or that read a step which is not upstream of the step using it.
 */
export function compileDefinition(document: unknown, version = 0): Definition {
  if (!validateSchema(document)) throw new DefinitionError(schemaIssues(validateSchema.errors ?? []));
  const raw = document as RawDefinition;
  const issues: DefinitionIssue[] = [];
  const index = indexSteps(raw.steps, issues);
  issues.push(...dependencyIssues(raw.steps, index));
  if (issues.length) throw new DefinitionError(issues);
  const cycle = cycleIssue(raw.steps, index);
  if (cycle) throw new DefinitionError([cycle]);
  const templates = templateIssues(raw, index);
  if (templates.length) throw new DefinitionError(templates);
  return buildDefinition(raw, version);
}
