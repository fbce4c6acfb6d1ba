import {
  Group,
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { NewDefinitionButton } from '../../components/workflows/definition-new.tsx';
import { RunsTable } from '../../components/workflows/runs-table.tsx';
import { StartRunButton } from '../../components/workflows/start-run.tsx';
import { can } from '../../lib/access/permissions.ts';
import { load } from '../../lib/api/page.ts';
import { flowApi } from '../../lib/flow-api/client.ts';
import type { DefinitionSummary, RunSummary } from '../../lib/flow-api/types.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Workflows' };

function WorkflowsActions(props: { canWrite: boolean }) {
  return (
    <Group gap="xs">
      {props.canWrite ? <NewDefinitionButton /> : null}
      <ButtonLink href="/workflows/schedules" variant="default">
        Schedules
      </ButtonLink>
      <ButtonLink href="/workflows/runs">All runs</ButtonLink>
    </Group>
  );
}

export default async function WorkflowsPage() {
  const session = await requirePermission('flow:read');
  const api = flowApi(session);
  const [{ definitions }, recent] = await load(
    Promise.all([
      api.get<{ definitions: DefinitionSummary[] }>('/definitions'),
      api.get<{ runs: RunSummary[] }>('/runs', { limit: 10 }),
    ]),
  );
  const canRun = can(session.permissions, 'flow:run');
  return (
    <>
      <PageHeader
        title="Workflows"
        description="flow-service's definitions (latest version of each) and the newest runs. Times are UTC."
        actions={<WorkflowsActions canWrite={can(session.permissions, 'flow:write')} />}
      />
      <Paper withBorder p="md" mb="md">
        <Title order={3} size="h4" mb="sm">
          Definitions
        </Title>
        {definitions.length === 0 ? (
          <Text c="dimmed" size="sm">
            No definitions yet: create one with New definition, or POST /flow/api/v1/definitions (flow:write).
          </Text>
        ) : (
          <TableScrollContainer minWidth={700}>
            <Table striped data-testid="definitions">
              <TableThead>
                <TableTr>
                  <TableTh>Definition</TableTh>
                  <TableTh>Version</TableTh>
                  <TableTh>Steps</TableTh>
                  <TableTh>Description</TableTh>
                  <TableTh>Updated</TableTh>
                  <TableTh />
                </TableTr>
              </TableThead>
              <TableTbody>
                {definitions.map((definition) => (
                  <TableTr key={definition.id} data-testid={`definition-${definition.id}`}>
                    <TableTd>
                      <AnchorLink href={`/workflows/definitions/${encodeURIComponent(definition.id)}`}>
                        {definition.name ?? definition.id}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {definition.id}
                      </Text>
                    </TableTd>
                    <TableTd>{definition.version}</TableTd>
                    <TableTd>{definition.steps}</TableTd>
                    <TableTd>{definition.description ?? ''}</TableTd>
                    <TableTd>{when(definition.created_at)}</TableTd>
                    <TableTd>
                      {canRun ? (
                        <StartRunButton definition={definition.id} version={definition.version} />
                      ) : null}
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        )}
      </Paper>
      <Paper withBorder p="md">
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4">
            Recent runs
          </Title>
          <AnchorLink href="/workflows/runs">All runs, with filters</AnchorLink>
        </Group>
        <RunsTable runs={recent.runs} />
      </Paper>
    </>
  );
}
