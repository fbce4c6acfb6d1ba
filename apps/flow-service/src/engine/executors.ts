import type { Definition, StepSpec } from '../definitions/definition.ts';
import { durationMs } from '../definitions/duration.ts';
import { executeHttpStep, type HttpStepInput, type HttpStepOptions } from '../http-step/http-step.ts';
import type { Outcome } from './outcome.ts';
import type { ClaimedStep, StartRunInput } from './store.ts';

export interface ExecutorOptions {
  http: HttpStepOptions;
  /** Approval steps without their own timeout wait this long for a decision. */
  approvalTimeoutMs: number;
  /** What an approval without `onTimeout` becomes when nobody decides in time. */
  approvalDefault: 'approve' | 'reject';
  startRun(input: StartRunInput): Promise<{ runId: string }>;
}

export interface Execution {
  step: ClaimedStep;
  spec: StepSpec;
  definition: Definition;
  input: unknown;
  idempotencyKey: string;
  signal: AbortSignal;
  now: number;
}

function executeHttp(execution: Execution, options: ExecutorOptions): Promise<Outcome> {
  const { step } = execution;
  return executeHttpStep(
    execution.input as HttpStepInput,
    {
      idempotencyKey: execution.idempotencyKey,
      runId: step.runId,
      stepId: step.stepId,
      attempt: step.attempt,
      signal: execution.signal,
      ...(execution.definition.author ? { author: execution.definition.author } : {}),
    },
    options.http,
  );
}

/** The first execution waits for the duration; the wake-up succeeds. */
function executeDelay({ step, input, now }: Execution): Outcome {
  if (step.waitedAt !== null) return { kind: 'succeeded', output: { waitedMs: now - step.waitedAt } };
  const raw = (input as { duration: unknown }).duration;
  let ms: number;
  try {
    ms = typeof raw === 'number' ? raw : durationMs(String(raw));
  } catch {
    return {
      kind: 'failed',
      error: `delay duration ${JSON.stringify(raw)} is not a duration`,
      retryable: false,
    };
  }
  if (!Number.isFinite(ms) || ms < 0)
    return {
      kind: 'failed',
      error: `delay duration ${JSON.stringify(raw)} is negative`,
      retryable: false,
    };
  return { kind: 'wait', until: now + ms, input };
}

/** The first execution waits for a decision; a decision completes the step without executing it again. */
function executeApproval({ step, spec, input, now }: Execution, options: ExecutorOptions): Outcome {
  if (step.waitedAt === null) {
    const timeout = spec.timeoutMs ?? options.approvalTimeoutMs;
    return { kind: 'wait', until: now + timeout, awaitsDecision: true, input };
  }
  // Woken: the decision deadline passed without a decision.
  const outcome = spec.onTimeout ?? options.approvalDefault;
  const record = {
    decision: outcome,
    comment: 'no decision before the deadline',
    by: 'timeout',
    at: new Date(now).toISOString(),
  };
  if (outcome === 'approve') return { kind: 'succeeded', output: record };
  return {
    kind: 'failed',
    error: 'no decision before the deadline (default: reject)',
    retryable: false,
    timedOut: true,
  };
}

/** Starts the child run and waits for it; the child's end completes this step. */
async function executeSubflow(execution: Execution, options: ExecutorOptions): Promise<Outcome> {
  const { step, spec, input, now } = execution;
  if (step.waitedAt !== null)
    // Woken by its timeout: the child did not finish in time (its end would have completed this step).
    return {
      kind: 'failed',
      error: `subflow did not finish within ${spec.timeoutMs} ms`,
      retryable: false,
      timedOut: true,
    };
  const config = input as { definition: string; version?: number; input?: unknown };
  const child = await options.startRun({
    definitionId: config.definition,
    ...(config.version ? { version: config.version } : {}),
    input: config.input ?? null,
    // The same attempt (re-executed after a crash) finds the same child run.
    idempotencyKey: `subflow:${execution.idempotencyKey}`,
    trigger: 'subflow',
    createdBy: `run:${step.runId}`,
    parent: { runId: step.runId, stepId: step.stepId },
  });
  return {
    kind: 'wait',
    until: spec.timeoutMs === null ? null : now + spec.timeoutMs,
    childRunId: child.runId,
    input,
  };
}

const executors: Record<
  StepSpec['type'],
  (execution: Execution, options: ExecutorOptions) => Outcome | Promise<Outcome>
> = {
  noop: ({ input }) => ({ kind: 'succeeded', output: input ?? null }),
  http: executeHttp,
  delay: executeDelay,
  approval: executeApproval,
  subflow: executeSubflow,
};

/** Runs one claimed step. The engine applies the step timeout through `signal` for http and noop. */
export async function execute(execution: Execution, options: ExecutorOptions): Promise<Outcome> {
  return executors[execution.spec.type](execution, options);
}

/** Step types whose timeout bounds one execution (the others use it as a wait deadline). */
export const EXECUTION_TIMEOUT_TYPES = new Set(['http', 'noop']);
