'use server';

import { revalidatePath } from 'next/cache';
import type { FlowPermission } from '../../lib/access/permissions.ts';
import { segment } from '../../lib/api/client.ts';
import { ApiError } from '../../lib/api/problem.ts';
import { type FlowResult, runFlowAction } from '../../lib/flow-api/action.ts';
import type { FlowApi } from '../../lib/flow-api/client.ts';
import type { DefinitionFault, DefinitionRecord, Schedule } from '../../lib/flow-api/definitions.ts';
import { MAX_SOURCE } from '../../lib/workflows/definition-source.ts';
import {
  parseScheduleForm,
  type ScheduleFields,
  scheduleFieldErrors,
} from '../../lib/workflows/schedule-form.ts';

// The definition editor's and the schedules' server actions. Each checks the user's permission on the
// server (runFlowAction) and calls flow-service with the user's own flow token; flow-service checks the
// same scopes and validates the definition itself, placing each fault at its line in the YAML.

export type SourceCheck =
  | { ok: true; saved: { id: string; version: number } | null }
  | { ok: false; error: string; faults: DefinitionFault[] };

/** A refused definition's faults; any other failure propagates to runFlowAction's message. */
function refusedFaults(error: unknown): { refused: DefinitionFault[]; message: string } {
  if (error instanceof ApiError && error.status === 400 && error.code === 'invalid_definition')
    return { refused: error.errors as DefinitionFault[], message: error.message };
  throw error;
}

async function submitSource(permission: FlowPermission, path: string, source: string): Promise<SourceCheck> {
  if (typeof source !== 'string' || !source.trim())
    return { ok: false, error: 'The definition is empty.', faults: [] };
  if (source.length > MAX_SOURCE)
    return { ok: false, error: `A definition is at most ${MAX_SOURCE / 1024} KiB.`, faults: [] };
  const result = await runFlowAction(permission, async (api) => {
    try {
      return { accepted: await api.postYaml<Partial<DefinitionRecord>>(path, source) };
    } catch (error) {
      return refusedFaults(error);
    }
  });
  if (!result.ok) return { ok: false, error: result.error, faults: [] };
  if ('refused' in result.value)
    return { ok: false, error: 'flow-service refused the definition.', faults: result.value.refused };
  const { id, version } = result.value.accepted;
  return { ok: true, saved: id && version ? { id, version } : null };
}

/** Checks the text without storing it (flow:read, as flow-service's validate route asks). */
export async function validateDefinitionSource(source: string): Promise<SourceCheck> {
  return submitSource('flow:read', '/definitions/validate', source);
}

/** Stores the text as the next version of the definition it names (flow:write). */
export async function saveDefinitionSource(source: string): Promise<SourceCheck> {
  const result = await submitSource('flow:write', '/definitions', source);
  if (result.ok) revalidatePath('/workflows', 'layout');
  return result;
}

type ScheduleResult = FlowResult<Schedule>;

async function scheduleCall(perform: (api: FlowApi) => Promise<Schedule>): Promise<ScheduleResult> {
  const result = await runFlowAction('flow:write', perform);
  if (result.ok) revalidatePath('/workflows', 'layout');
  else if (result.fieldErrors) return { ...result, fieldErrors: scheduleFieldErrors(result.fieldErrors) };
  return result;
}

export async function createSchedule(definition: string, fields: ScheduleFields): Promise<ScheduleResult> {
  const parsed = parseScheduleForm(fields);
  if (!parsed.ok) return { ok: false, error: 'Some fields need attention.', fieldErrors: parsed.errors };
  return scheduleCall((api) => api.post<Schedule>('/schedules', { definition, ...parsed.value }));
}

export async function updateSchedule(id: string, fields: ScheduleFields): Promise<ScheduleResult> {
  const parsed = parseScheduleForm(fields);
  if (!parsed.ok) return { ok: false, error: 'Some fields need attention.', fieldErrors: parsed.errors };
  return scheduleCall((api) => api.patch<Schedule>(`/schedules/${segment(id)}`, parsed.value));
}

export async function deleteSchedule(id: string): Promise<FlowResult<null>> {
  const result = await runFlowAction('flow:write', async (api) => {
    await api.delete(`/schedules/${segment(id)}`);
    return null;
  });
  if (result.ok) revalidatePath('/workflows', 'layout');
  return result;
}
