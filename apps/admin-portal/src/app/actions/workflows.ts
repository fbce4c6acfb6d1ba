'use server';

import { revalidatePath } from 'next/cache';
import { segment } from '../../lib/api/client.ts';
import { type FlowResult, runFlowAction } from '../../lib/flow-api/action.ts';
import type { RunDetail, RunSummary, StepDetail } from '../../lib/flow-api/types.ts';
import { parseStartRun } from '../../lib/workflows/start-run.ts';

// The Workflows page's server actions. Each checks the user's permission on the server (runFlowAction) and
// calls flow-service with the user's own flow token; flow-service enforces the same scopes.

const runPath = (runId: string) => `/runs/${segment(runId)}`;

/** The run as it is now (the live view reloads it after events). */
export async function fetchRun(runId: string): Promise<FlowResult<RunDetail>> {
  return runFlowAction('flow:read', (api) => api.get<RunDetail>(runPath(runId)));
}

/** A step with its attempts, errors and timings. */
export async function fetchStep(runId: string, stepId: string): Promise<FlowResult<StepDetail>> {
  return runFlowAction('flow:read', (api) =>
    api.get<StepDetail>(`${runPath(runId)}/steps/${segment(stepId)}`),
  );
}

export async function startRun(fields: {
  definition: string;
  input: string;
  version: string;
  idempotencyKey: string;
}): Promise<FlowResult<RunSummary>> {
  const parsed = parseStartRun(fields);
  if (!parsed.ok) return { ok: false, error: 'Some fields need attention.', fieldErrors: parsed.errors };
  const { definition, input, version, idempotencyKey } = parsed.value;
  const result = await runFlowAction('flow:run', (api) =>
    api.post<RunSummary>(
      `/definitions/${segment(definition)}/runs`,
      { input, ...(version ? { version } : {}) },
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    ),
  );
  if (result.ok) revalidatePath('/workflows');
  return result;
}

export async function cancelRun(runId: string): Promise<FlowResult<RunDetail>> {
  return runFlowAction('flow:run', (api) => api.post<RunDetail>(`${runPath(runId)}/cancel`));
}

/** Retry from the failed step: succeeded steps keep their outputs. */
export async function retryRun(runId: string): Promise<FlowResult<RunDetail>> {
  return runFlowAction('flow:run', (api) => api.post<RunDetail>(`${runPath(runId)}/retry`));
}

/** A new run of the same definition version with the same input. */
export async function rerunRun(runId: string): Promise<FlowResult<RunDetail>> {
  const result = await runFlowAction('flow:run', (api) => api.post<RunDetail>(`${runPath(runId)}/rerun`));
  if (result.ok) revalidatePath('/workflows');
  return result;
}

export async function decideStep(
  runId: string,
  stepId: string,
  decision: string,
  comment: string,
): Promise<FlowResult<StepDetail>> {
  if (decision !== 'approve' && decision !== 'reject')
    return { ok: false, error: 'A decision is approve or reject.' };
  const text = comment.trim();
  if (text.length > 2000) return { ok: false, error: 'The comment is at most 2000 characters.' };
  return runFlowAction('flow:approve', (api) =>
    api.post<StepDetail>(`${runPath(runId)}/steps/${segment(stepId)}/decision`, {
      decision,
      ...(text ? { comment: text } : {}),
    }),
  );
}
