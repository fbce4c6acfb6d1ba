import { Paper } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AnchorLink } from '../../../components/links.tsx';
import { DefinitionSchedules } from '../../../components/workflows/definition-schedules.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { load } from '../../../lib/api/page.ts';
import { flowApi } from '../../../lib/flow-api/client.ts';
import type { Schedule } from '../../../lib/flow-api/definitions.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Workflow schedules' };

export default async function SchedulesPage() {
  const session = await requirePermission('flow:read');
  const { schedules } = await load(flowApi(session).get<{ schedules: Schedule[] }>('/schedules'));
  return (
    <>
      <PageHeader
        title="Workflow schedules"
        description="Every cron schedule, oldest first. Add one from its definition's page. Times are UTC."
        actions={<AnchorLink href="/workflows">Workflows</AnchorLink>}
      />
      <Paper withBorder p="md">
        <DefinitionSchedules schedules={schedules} canWrite={can(session.permissions, 'flow:write')} />
      </Paper>
    </>
  );
}
