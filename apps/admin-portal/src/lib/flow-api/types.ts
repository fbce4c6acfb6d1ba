// flow-service's API shapes as the console reads them: aliases of the types generated from flow-service's
// OpenAPI document (lib/api/generated/flow.ts, `pnpm api:types`).
import type { paths } from '../api/generated/flow.ts';
import type { ItemOf, ResponseOf } from '../api/types.ts';

type Get<P extends keyof paths> = ResponseOf<paths, P, 'get'>;

/**
 * flow-service's response schemas name no required properties, while its answers always carry every one
 * (each comes from a column or an explicit null): the console reads them as present.
 */
type Present<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

type GeneratedRunDetail = Present<Get<'/flow/api/v1/runs/{runId}'>>;

export type FlowState = RunSummary['state'];

export const STATES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const satisfies readonly FlowState[];

export const isFlowState = (value: unknown): value is FlowState =>
  typeof value === 'string' && (STATES as readonly string[]).includes(value);

export const FINISHED: ReadonlySet<FlowState> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export type DefinitionSummary = ItemOf<Present<Get<'/flow/api/v1/definitions'>>['definitions']>;
export type RunSummary = Present<ItemOf<Present<Get<'/flow/api/v1/runs'>>['runs']>>;
/** A step's approval decision, as the approval step records it. */
export interface StepDecision {
  decision?: string;
  comment?: string;
  /** The decider's subject id, and their username as their token named it. */
  by?: string;
  by_name?: string | null;
}
export type RunStep = Omit<Present<ItemOf<GeneratedRunDetail['steps']>>, 'decision'> & {
  decision: StepDecision | null;
};
export type RunDetail = Omit<GeneratedRunDetail, 'steps'> & { steps: RunStep[] };
/** One event of a run's history (SSE `data:`). */
export type FlowEvent = Present<ItemOf<Present<Get<'/flow/api/v1/runs/{runId}/events'>>['events']>>;

// flow-service publishes a step's detail as a free-form object (runs.routes.ts); these two types are the
// console's reading of it: the step's own fields and its attempts.

export interface StepAttempt {
  attempt: number;
  state: string;
  worker: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number;
}

export interface StepDetail {
  run_id: string;
  id: string;
  type: string;
  state: FlowState;
  attempt: number;
  input: unknown;
  output: unknown;
  error: string | null;
  child_run_id: string | null;
  decision: StepDecision | null;
  started_at: string | null;
  finished_at: string | null;
  attempts: StepAttempt[];
}

/** One approval step waiting for a decision, as the approvals inbox lists it. */
export type ApprovalItem = Present<ItemOf<Present<Get<'/flow/api/v1/approvals'>>['approvals']>>;
export interface ApprovalsPage {
  approvals: ApprovalItem[];
  next_cursor: string | null;
}
