import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ButtonLink } from '../../../components/links.tsx';
import { load } from '../../../lib/api/page.ts';
import { flowApi } from '../../../lib/flow-api/client.ts';
import type { ApprovalsPage } from '../../../lib/flow-api/types.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { approvalPrompt } from '../../../lib/workflows/approval-prompt.ts';
import { ApprovalsInbox, type InboxItem } from './approvals-inbox.tsx';
import { resolveStarters } from './starters.ts';

export const metadata: Metadata = { title: 'Approvals' };
const PAGE_SIZE = 25;
const CURSOR = /^\d{1,15}:[0-9a-f-]{36}:[a-z0-9][a-z0-9_-]{0,62}$/;

/** The approval steps waiting for a decision the signed-in user may take (flow:approve), longest waiting first. */
export default async function ApprovalsInboxPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const session = await requirePermission('flow:approve');
  const { cursor: rawCursor } = await searchParams;
  const cursor = rawCursor && CURSOR.test(rawCursor) ? rawCursor : undefined;
  const page = await load(flowApi(session).get<ApprovalsPage>('/approvals', { limit: PAGE_SIZE, cursor }));
  const starters = await resolveStarters(
    session,
    page.approvals.map((item) => item.started_by),
  );
  const items: InboxItem[] = page.approvals.map((item) => ({
    runId: item.run_id,
    stepId: item.step_id,
    title: `${item.definition_name ?? item.definition} · ${item.step_name ?? item.step_id}`,
    ...approvalPrompt({ message: item.message, details: item.details }),
    startedBy: starters[item.started_by] ?? { label: item.started_by, href: null },
    waitingSince: item.waiting_since,
    deadlineAt: item.deadline_at,
  }));
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Steps waiting for your decision, longest waiting first. Times are UTC."
        actions={
          <ButtonLink href="/workflows/runs?state=waiting" variant="default">
            Waiting runs
          </ButtonLink>
        }
      />
      <ApprovalsInbox items={items} />
      {page.next_cursor || cursor ? (
        <ButtonLink
          href={page.next_cursor ? `/workflows/approvals?cursor=${page.next_cursor}` : '/workflows/approvals'}
          variant="default"
        >
          {page.next_cursor ? 'More approvals' : 'Back to the first page'}
        </ButtonLink>
      ) : null}
    </>
  );
}
