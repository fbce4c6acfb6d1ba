import { FINISHED, type FlowEvent, isFlowState, type RunDetail, type RunStep } from '../flow-api/types.ts';

// Live updates: an event from the run's stream applied to the run as the page shows it, so the DAG changes
// the moment the event arrives. The page also reloads the run from flow-service shortly after (outputs,
// errors, anything an event does not carry), so this is the fast path, not the only source of truth.

export interface LiveRun {
  run: RunDetail;
  /** The last event applied (events arrive in `seq` order; a replay after a reconnect is skipped). */
  lastSeq: number;
}

const data = (event: FlowEvent) =>
  (event.data && typeof event.data === 'object' ? event.data : {}) as Record<string, unknown>;

function stepState(type: string): RunStep['state'] | null {
  const name = type.slice('step.'.length);
  if (name === 'started' || name === 'woken') return 'running';
  if (name === 'retrying' || name === 'lease_expired') return 'pending';
  return isFlowState(name) ? name : null;
}

function updateStep(step: RunStep, event: FlowEvent): RunStep {
  const details = data(event);
  if (event.type === 'step.decided') {
    return { ...step, decision: details as RunStep['decision'] };
  }
  const state = stepState(event.type);
  if (!state) return step;
  const next: RunStep = { ...step, state };
  if (typeof details.attempt === 'number') next.attempt = details.attempt;
  if (state === 'running' && event.type === 'step.started') next.started_at = event.at;
  if (FINISHED.has(state)) next.finished_at = event.at;
  if (typeof details.error === 'string') next.error = details.error;
  else if (state === 'succeeded') next.error = null;
  return next;
}

export function applyEvent(live: LiveRun, event: FlowEvent): LiveRun {
  if (event.seq <= live.lastSeq) return live;
  let run = live.run;
  if (event.type.startsWith('run.')) {
    const name = event.type.slice('run.'.length);
    const state =
      name === 'created' || name === 'queued'
        ? 'pending'
        : name === 'started' || name === 'retried'
          ? 'running'
          : isFlowState(name)
            ? name
            : null;
    if (state) {
      run = { ...run, state };
      if (FINISHED.has(state)) run.finished_at = event.at;
      if (state === 'running') run.finished_at = null;
      const error = data(event).error;
      if (typeof error === 'string') run.error = error;
    }
  } else if (event.type.startsWith('step.') && event.step) {
    run = {
      ...run,
      steps: run.steps.map((step) => (step.id === event.step ? updateStep(step, event) : step)),
    };
    // A run waits while one of its approvals waits (flow-service's rule); the steps say which.
    if (!FINISHED.has(run.state) && run.state !== 'pending') {
      run.state = run.steps.some((step) => step.state === 'waiting') ? 'waiting' : 'running';
    }
  }
  return { run, lastSeq: event.seq };
}

/** Parses one SSE `data:` payload; null for anything that is not a flow event. */
export function parseEvent(text: string): FlowEvent | null {
  try {
    const value = JSON.parse(text) as Partial<FlowEvent>;
    if (typeof value.seq !== 'number' || typeof value.type !== 'string') return null;
    return {
      seq: value.seq,
      type: value.type,
      step: typeof value.step === 'string' ? value.step : null,
      data: value.data ?? null,
      at: typeof value.at === 'string' ? value.at : new Date().toISOString(),
    };
  } catch {
    return null;
  }
}
