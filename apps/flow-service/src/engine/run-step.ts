import type { StepSpec } from '../definitions/definition.ts';
import { render, type TemplateContext } from '../definitions/template.ts';
import { EXECUTION_TIMEOUT_TYPES, type ExecutorOptions, execute } from './executors.ts';
import type { Outcome } from './outcome.ts';
import type { PreparedStep } from './step-context.ts';

// One claimed step's execution: render its input, run its executor under the step timeout, and turn
// whatever happens (a render error, a timeout, a crash) into an Outcome the store can apply.

/** A timer that aborts the execution and resolves with the timed-out outcome; never resolves without a limit. */
function stepTimeout(timeoutMs: number | null, controller: AbortController, outcome: Outcome) {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  const promise = new Promise<Outcome>((resolve) => {
    if (timeoutMs === null) return;
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new Error('step timed out'));
      resolve(outcome);
    }, timeoutMs);
  });
  return { promise, fired: () => fired, clear: () => clearTimeout(timer) };
}

/** The step's input, or the failure a template that cannot be rendered is. */
function renderInput(spec: StepSpec, context: TemplateContext): { input: unknown } | { failed: Outcome } {
  try {
    return { input: render(spec.input, context) };
  } catch (error) {
    return {
      failed: {
        kind: 'failed',
        error: `input could not be rendered: ${(error as Error).message}`,
        retryable: false,
      },
    };
  }
}

export async function runStep(
  { step, spec, definition }: PreparedStep,
  context: TemplateContext,
  controller: AbortController,
  options: { defaultStepTimeoutMs: number; executors: ExecutorOptions },
): Promise<Outcome> {
  const rendered = renderInput(spec, context);
  if ('failed' in rendered) return rendered.failed;
  const { input } = rendered;
  const timeoutMs = EXECUTION_TIMEOUT_TYPES.has(spec.type)
    ? (spec.timeoutMs ?? options.defaultStepTimeoutMs)
    : null;
  const timedOut: Outcome = {
    kind: 'failed',
    error: `timed out after ${timeoutMs} ms`,
    retryable: true,
    timedOut: true,
    input,
  };
  const timeout = stepTimeout(timeoutMs, controller, timedOut);
  try {
    const outcome = await Promise.race([
      execute(
        {
          step,
          spec,
          definition,
          input,
          idempotencyKey: `${step.runId}:${step.stepId}:${step.attempt}`,
          signal: controller.signal,
          now: Date.now(),
        },
        options.executors,
      ),
      timeout.promise,
    ]);
    if (timeout.fired()) return timedOut;
    return outcome.kind === 'wait' || 'input' in outcome ? outcome : { ...outcome, input };
  } catch (error) {
    return { kind: 'failed', error: `step crashed: ${(error as Error).message}`, retryable: true, input };
  } finally {
    timeout.clear();
  }
}
