import type { Database } from '@platform/db';
import type { Transaction } from 'kysely';
import type { SealedActingUser } from '../../acting-user/acting-users.repository.ts';
import type { FlowSchema, RunState, StepState } from '../../db/schema.ts';
import type { Definition } from '../../definitions/definition.ts';
import type { PendingEvent } from '../events.ts';
import type { Guard, Outcome } from '../outcome.ts';

// The types every store module shares, and the `StoreCore` they are built on.

export const ACTIVE_RUN: RunState[] = ['pending', 'running', 'waiting'];
export const ACTIVE_STEP: StepState[] = ['pending', 'running', 'waiting'];

/** Rows per batched statement: keeps the SQL and its parameters well under both dialects' limits. */
export const BATCH = 200;

/** A JSON column's text; `undefined` stores SQL null. */
export const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** Step columns that release a step from its worker. */
export const NO_LEASE = { lease_owner: null, lease_expires_at: null } as const;

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
  /** Sealed tokens of users whose runs ended here and no other run shares: revoked after the commit. */
  releasedTokens: string[];
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
  /** When this worker took it (startedAt is earlier for a woken step). */
  claimedAt: number;
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
  /** The starter's username (the token's preferred_username), when a person started it. */
  createdByName?: string | null;
  parent?: { runId: string; stepId: string };
  rerunOf?: string;
  scheduleId?: string;
  /** The user whose token started it (API starts and reruns); a subflow acts for its parent's user. */
  actingUser?: SealedActingUser | null;
}

export interface StoreOptions {
  workerId: string;
  leaseMs: number;
  now?: () => number;
  /** Called after every committed transaction (aborts local work of ended runs, records metrics). */
  onCommit?: (ctx: TxContext) => void;
}

export type ApplyOutcome = (
  ctx: TxContext,
  target: StepTarget,
  guard: Guard,
  outcome: Outcome,
  worker: string,
) => Promise<boolean>;

/** What every store function needs: the database, the clock, the options and the definitions. */
export interface StoreCore {
  database: Database<FlowSchema>;
  clock: () => number;
  options: StoreOptions;
  loadDefinition(id: string, version: number): Promise<Definition>;
  /**
   * Step outcomes end runs, and a run's end completes its parent's subflow step: run endings reach the
   * step outcomes through this rather than through an import, so the modules form no cycle.
   */
  applyOutcome: ApplyOutcome;
}

/** A successful step result on its way into the batched path. */
export interface SuccessItem {
  target: StepTarget;
  output: unknown;
  input: unknown;
}
