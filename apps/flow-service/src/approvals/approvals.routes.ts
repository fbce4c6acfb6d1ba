import { requireScopes } from '@platform/auth';
import type { App, Handler } from '@platform/http';
import { type ApprovalsRepository, decodeApprovalsCursor } from './approvals.repository.ts';
import { countApprovalsSchema, listApprovalsSchema } from './approvals.schemas.ts';

// The approvals inbox: what waits for a decision the caller may take. Whoever may decide (flow:approve,
// the decision route's scope) sees every waiting approval step.

const listApprovals =
  (approvals: ApprovalsRepository): Handler<typeof listApprovalsSchema> =>
  async (request) => {
    const { definition, limit, cursor } = request.query;
    const after = cursor ? decodeApprovalsCursor(cursor) : undefined;
    return approvals.list({
      limit,
      ...(definition ? { definition } : {}),
      ...(after ? { after } : {}),
    });
  };

const countApprovals =
  (approvals: ApprovalsRepository): Handler<typeof countApprovalsSchema> =>
  async () => ({ waiting: await approvals.count() });

export function approvalRoutes(app: App, approvals: ApprovalsRepository): void {
  const approve = requireScopes('flow:approve');
  const base = '/flow/api/v1/approvals';
  app.get(base, { preHandler: approve, schema: listApprovalsSchema }, listApprovals(approvals));
  app.get(`${base}/count`, { preHandler: approve, schema: countApprovalsSchema }, countApprovals(approvals));
}
