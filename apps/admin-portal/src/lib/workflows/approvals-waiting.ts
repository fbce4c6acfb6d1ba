import { can } from '../access/permissions.ts';
import { flowApi } from '../flow-api/client.ts';
import type { CurrentSession } from '../session/current.ts';

// The navigation's count of approvals waiting, for users who may decide. Every page renders it, so a slow
// or stopped flow-service costs a page at most WAIT_MS and shows no count rather than an error.

const WAIT_MS = 300;

export async function approvalsWaiting(session: CurrentSession | null): Promise<number | null> {
  if (!session || !can(session.permissions, 'flow:approve')) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), WAIT_MS);
  });
  const count = flowApi(session)
    .get<{ waiting: number }>('/approvals/count')
    .then((answer) => answer.waiting)
    .catch(() => null);
  try {
    return await Promise.race([count, late]);
  } finally {
    clearTimeout(timer);
  }
}
