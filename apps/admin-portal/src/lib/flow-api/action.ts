import { can, type FlowPermission } from '../access/permissions.ts';
import { ApiError } from '../api/problem.ts';
import { currentSession } from '../session/current.ts';
import { type FlowApi, flowApi } from './client.ts';

// Every Workflows server action goes through here: the session and the permission are checked on the
// server (a hidden button is no protection; flow-service checks the token's scope again), and a refusal
// becomes a readable message.

export type FlowResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string> };

export async function runFlowAction<T>(
  permission: FlowPermission,
  perform: (api: FlowApi) => Promise<T>,
): Promise<FlowResult<T>> {
  const session = await currentSession();
  if (!session) return { ok: false, error: 'Your session has ended. Sign in again to continue.' };
  if (!can(session.permissions, permission))
    return { ok: false, error: `You are not allowed to do this: it needs the ${permission} permission.` };
  try {
    return { ok: true, value: await perform(flowApi(session)) };
  } catch (error) {
    if (error instanceof ApiError)
      return {
        ok: false,
        error: error.message,
        ...(Object.keys(error.pointerErrors).length ? { fieldErrors: error.pointerErrors } : {}),
      };
    console.error('admin-portal: workflow action failed:', (error as Error).message);
    return { ok: false, error: 'The request could not be completed. Try again in a moment.' };
  }
}
