// A validated definition in the shape the engine works with: durations in ms, defaults applied, and the
// graph's derived facts (dependents, sinks) computed once per version instead of per step.

export type StepType = 'http' | 'delay' | 'approval' | 'noop' | 'subflow';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  max: number;
  backoff: 'fixed' | 'exponential';
  initialMs: number;
  maxDelayMs: number;
  jitter: number;
}

export interface StepSpec {
  id: string;
  type: StepType;
  name?: string;
  dependsOn: string[];
  input: unknown;
  retry: RetryPolicy;
  /** Per attempt (http, noop, subflow) or for the decision (approval); null = none. */
  timeoutMs: number | null;
  onTimeout?: 'approve' | 'reject';
}

export interface Definition {
  id: string;
  version: number;
  name?: string;
  description?: string;
  deadlineMs: number | null;
  concurrency: number | null;
  output?: unknown;
  steps: StepSpec[];
  /** Derived: step id → spec. */
  byId: Map<string, StepSpec>;
  /** Derived: step id → ids of the steps that depend on it. */
  dependents: Map<string, string[]>;
  /** Derived: steps nothing depends on (their outputs form the default run output). */
  sinks: string[];
  /** Who saved this version and the scopes they held then (scopes null: a version stored without them). */
  author?: { sub: string; scopes: string[] | null };
}

export const NO_RETRY: RetryPolicy = {
  max: 0,
  backoff: 'fixed',
  initialMs: 1000,
  maxDelayMs: 60_000,
  jitter: 0,
};

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = policy.backoff === 'fixed' ? policy.initialMs : policy.initialMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(base, policy.maxDelayMs);
  const jittered = capped * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(0, Math.round(Math.min(jittered, policy.maxDelayMs)));
}
