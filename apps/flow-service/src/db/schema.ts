// Table types of flow-service's database (see migrations.ts). Times are epoch milliseconds; JSON columns
// hold text the application (de)serializes; flags are 0/1 integers so both dialects read the same.

export type RunState = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type StepState = RunState;

export const TERMINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export interface DefinitionsTable {
  id: string;
  version: number;
  name: string | null;
  description: string | null;
  /** The document as validated, JSON. */
  document: string;
  /** The text as submitted (YAML keeps its comments and layout). */
  source: string;
  format: 'json' | 'yaml';
  created_by: string;
  /** Space-separated scopes the author held when saving (their token's and their roles'); null before 0002. */
  author_scopes: string | null;
  created_at: number;
}

export interface DefinitionHeadsTable {
  id: string;
  latest_version: number;
  /** Runs counted against a concurrency limit that are admitted and not finished. */
  active_runs: number;
}

export interface RunsTable {
  id: string;
  definition_id: string;
  definition_version: number;
  state: RunState;
  input: string;
  output: string | null;
  error: string | null;
  idempotency_key: string | null;
  /** Hash of the start request, so a reused key with a different request is refused. */
  request_hash: string | null;
  trigger: 'api' | 'schedule' | 'subflow' | 'rerun';
  parent_run_id: string | null;
  parent_step_id: string | null;
  rerun_of: string | null;
  schedule_id: string | null;
  created_by: string;
  /** The starter's username as their token named it; null for runs the platform started. */
  created_by_name: string | null;
  /** Steps not yet in a terminal state; the run finishes when it reaches 0. */
  steps_remaining: number;
  /** Last event sequence number written for this run. */
  event_seq: number;
  /** 1 when the run holds a slot of its definition's concurrency limit. */
  counted: number;
  deadline_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface StepsTable {
  run_id: string;
  step_id: string;
  definition_id: string;
  definition_version: number;
  type: string;
  state: StepState;
  attempt: number;
  deps_remaining: number;
  /** When the step may be claimed (ready, retry due, wait over); null while it may not. */
  ready_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  input: string | null;
  output: string | null;
  error: string | null;
  child_run_id: string | null;
  /** Set when the step entered `waiting` (delay, approval, subflow); a claim after it is the wake-up. */
  waited_at: number | null;
  /** Approval decision, JSON {decision, comment, by, at}. */
  decision: string | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface AttemptsTable {
  run_id: string;
  step_id: string;
  attempt: number;
  state: StepState;
  worker: string;
  error: string | null;
  started_at: number;
  finished_at: number;
}

export interface EventsTable {
  run_id: string;
  seq: number;
  type: string;
  step_id: string | null;
  data: string | null;
  created_at: number;
}

export interface SchedulesTable {
  id: string;
  definition_id: string;
  cron: string;
  timezone: string;
  overlap: 'skip' | 'allow';
  input: string;
  enabled: number;
  catchup_ms: number;
  next_fire_at: number | null;
  last_fire_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** The user an API-started run acts for (ADR 0036); the row goes when the run ends. */
export interface RunActingUsersTable {
  run_id: string;
  sub: string;
  /** Their access token for flow-service, sealed; null when it was DPoP-bound (never kept). */
  sealed_token: string | null;
  /** When that token expires (ms); exchanges after it are not tried. */
  expires_at: number;
}

export interface FlowSchema {
  definitions: DefinitionsTable;
  definition_heads: DefinitionHeadsTable;
  runs: RunsTable;
  steps: StepsTable;
  attempts: AttemptsTable;
  events: EventsTable;
  schedules: SchedulesTable;
  run_acting_users: RunActingUsersTable;
}
