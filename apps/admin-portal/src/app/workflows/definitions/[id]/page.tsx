import { Code, Grid, GridCol, Group, Paper, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ButtonLink } from '../../../../components/links.tsx';
import { DefinitionDag } from '../../../../components/workflows/definition-dag.tsx';
import { DefinitionSchedules } from '../../../../components/workflows/definition-schedules.tsx';
import { DefinitionVersions } from '../../../../components/workflows/definition-versions.tsx';
import { StartRunButton } from '../../../../components/workflows/start-run.tsx';
import { can } from '../../../../lib/access/permissions.ts';
import { segment } from '../../../../lib/api/client.ts';
import { load } from '../../../../lib/api/page.ts';
import { flowApi } from '../../../../lib/flow-api/client.ts';
import type { DefinitionRecord, DefinitionVersion, Schedule } from '../../../../lib/flow-api/definitions.ts';
import { requirePermission } from '../../../../lib/session/current.ts';
import { DEFINITION_ID, documentSteps } from '../../../../lib/workflows/definition-source.ts';

export const metadata: Metadata = { title: 'Workflow definition' };

/** The version asked for in `?version=`, when the definition has it; else the latest. */
function chosenVersion(versions: DefinitionVersion[], asked: string | undefined): number {
  const number = Number(asked);
  const found = versions.find((version) => version.version === number);
  return (found ?? (versions[0] as DefinitionVersion)).version;
}

function Section(props: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" mb="md">
      <Title order={3} size="h4" mb="sm">
        {props.title}
      </Title>
      {props.children}
    </Paper>
  );
}

export default async function DefinitionPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ version?: string }>;
}) {
  const session = await requirePermission('flow:read');
  const { id } = await props.params;
  if (!DEFINITION_ID.test(id)) notFound();
  const api = flowApi(session);
  const path = `/definitions/${segment(id)}`;
  const [{ versions }, { schedules }] = await load(
    Promise.all([
      api.get<{ versions: DefinitionVersion[] }>(`${path}/versions`),
      api.get<{ schedules: Schedule[] }>('/schedules', { definition: id }),
    ]),
  );
  const shown = chosenVersion(versions, (await props.searchParams).version);
  const record = await load(api.get<DefinitionRecord>(`${path}/versions/${shown}`));
  const latest = versions[0]?.version ?? shown;
  const canWrite = can(session.permissions, 'flow:write');
  return (
    <>
      <PageHeader
        title={record.name ?? id}
        description={`${id} · version ${record.version} of ${latest} · saved ${when(record.created_at)}${record.description ? ` · ${record.description}` : ''}`}
        actions={
          <Group gap="xs">
            {canWrite ? (
              <ButtonLink href={`/workflows/definitions/${segment(id)}/edit`}>Edit</ButtonLink>
            ) : null}
            {can(session.permissions, 'flow:run') ? <StartRunButton definition={id} version={shown} /> : null}
            <ButtonLink href={`/workflows/runs?definition=${segment(id)}`} variant="default">
              Runs
            </ButtonLink>
          </Group>
        }
      />
      <Section title={`Steps of version ${shown}`}>
        <DefinitionDag steps={documentSteps(record.document)} />
      </Section>
      <Grid>
        <GridCol span={{ base: 12, lg: 6 }}>
          <Section title="Versions">
            <DefinitionVersions id={id} versions={versions} shown={shown} />
          </Section>
          <Section title="Schedules">
            <DefinitionSchedules schedules={schedules} definition={id} canWrite={canWrite} />
          </Section>
        </GridCol>
        <GridCol span={{ base: 12, lg: 6 }}>
          <Section title={`Source of version ${shown} (${record.format.toUpperCase()})`}>
            {/* Focusable: a long line scrolls sideways, and keyboard users must reach it too. */}
            <Code
              block
              data-testid="definition-source"
              tabIndex={0}
              role="region"
              aria-label={`Source of version ${shown}`}
            >
              {record.source}
            </Code>
          </Section>
        </GridCol>
      </Grid>
    </>
  );
}
