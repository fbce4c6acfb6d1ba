import { Text } from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AnchorLink } from '../../../../components/links.tsx';
import { RunView } from '../../../../components/workflows/run-view.tsx';
import { StartedBy } from '../../../../components/workflows/started-by.tsx';
import { can } from '../../../../lib/access/permissions.ts';
import { segment } from '../../../../lib/api/client.ts';
import { load } from '../../../../lib/api/page.ts';
import { flowApi } from '../../../../lib/flow-api/client.ts';
import type { RunDetail } from '../../../../lib/flow-api/types.ts';
import { requirePermission } from '../../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Workflow run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('flow:read');
  const { id } = await params;
  const run = await load(flowApi(session).get<RunDetail>(`/runs/${segment(id)}`));
  return (
    <>
      <PageHeader
        title={`Run of ${run.definition} (version ${run.version})`}
        description={`${run.id} · created ${when(run.created_at)}`}
        actions={<AnchorLink href="/workflows/runs">All runs</AnchorLink>}
      />
      <StartedBy run={run} canReadUsers={can(session.permissions, 'admin:read')} />
      {run.rerun_of ? (
        <Text size="sm" mb="sm">
          Rerun of <AnchorLink href={`/workflows/runs/${segment(run.rerun_of)}`}>{run.rerun_of}</AnchorLink>
        </Text>
      ) : null}
      <RunView
        key={run.id}
        initial={run}
        streamUrl={`/admin/workflows/runs/${segment(run.id)}/events`}
        canRun={can(session.permissions, 'flow:run')}
        canApprove={can(session.permissions, 'flow:approve')}
      />
    </>
  );
}
