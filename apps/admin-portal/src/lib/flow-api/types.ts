// flow-service's API shapes the console reads (apps/flow-service: definitions.routes.ts, runs.repository.ts).

export const STATES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type FlowState = (typeof STATES)[number];

export const isFlowState = (value: unknown): value is FlowState =>
  typeof value === 'string' && (STATES as readonly string[]).includes(value);

export const FINISHED: ReadonlySet<FlowState> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export interface DefinitionSummary {
  id: string;
  version: number;
  name: string | null;
  description: string | null;
  steps: number;
  created_by?: string;
  created_at: string;
}

export interface RunSummary {
  id: string;
  definition: string;
  version: number;
  state: FlowState;
  trigger: string;
  created_by: string | null;
  error: string | null;
  parent_run_id: string | null;
  rerun_of: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  deadline_at: string | null;
}

export interface RunStep {
  id: string;
  name: string | null;
  type: string;
  depends_on: string[];
  state: FlowState;
  attempt: number;
  max_attempts: number;
  error: string | null;
  output: unknown;
  child_run_id: string | null;
  decision: { decision?: string; comment?: string; by?: string } | null;
  ready_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  steps: RunStep[];
}

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
  decision: RunStep['decision'];
  started_at: string | null;
  finished_at: string | null;
  attempts: StepAttempt[];
}

/** One event of a run's history (SSE `data:`). */
export interface FlowEvent {
  seq: number;
  type: string;
  step: string | null;
  data: unknown;
  at: string;
}
