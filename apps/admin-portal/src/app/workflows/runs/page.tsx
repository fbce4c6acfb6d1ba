import { Button, Group, NativeSelect, Paper, SimpleGrid, Text, TextInput } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ButtonLink } from '../../../components/links.tsx';
import { RunsTable } from '../../../components/workflows/runs-table.tsx';
import { load } from '../../../lib/api/page.ts';
import { flowApi } from '../../../lib/flow-api/client.ts';
import { type RunSummary, STATES } from '../../../lib/flow-api/types.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { runsFilterSchema } from '../../../lib/workflows/start-run.ts';
import { stateStyle } from '../../../lib/workflows/state-style.ts';

export const metadata: Metadata = { title: 'Workflow runs' };
const PAGE_SIZE = 25;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('flow:read');
  const raw = await searchParams;
  const parsed = runsFilterSchema.safeParse(raw);
  const filters = parsed.success ? parsed.data : {};
  const page = await load(
    flowApi(session).get<{ runs: RunSummary[]; next_cursor: string | null }>('/runs', {
      state: filters.state,
      definition: filters.definition,
      cursor: filters.cursor,
      limit: PAGE_SIZE,
    }),
  );
  const keep = new URLSearchParams();
  if (filters.state) keep.set('state', filters.state);
  if (filters.definition) keep.set('definition', filters.definition);
  const next = page.next_cursor ? new URLSearchParams(keep) : null;
  next?.set('cursor', page.next_cursor as string);
  const first = `/workflows/runs${keep.size ? `?${keep}` : ''}`;

  return (
    <>
      <PageHeader title="Workflow runs" description="Newest first. Times are UTC." />
      <Paper withBorder p="md" mb="md">
        <form method="get" aria-label="Filter runs">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              name="state"
              label="State"
              defaultValue={filters.state ?? ''}
              data={[
                { value: '', label: 'Any' },
                ...STATES.map((state) => ({ value: state, label: stateStyle(state).label })),
              ]}
            />
            <TextInput name="definition" label="Definition id" defaultValue={raw.definition ?? ''} />
          </SimpleGrid>
          <Group mt="md">
            <Button type="submit">Filter</Button>
            <ButtonLink href="/workflows/runs" variant="default">
              Clear
            </ButtonLink>
          </Group>
        </form>
        {!parsed.success ? (
          <Text c="red" size="sm" mt="xs" role="alert">
            Some filters are invalid and were ignored.
          </Text>
        ) : null}
      </Paper>
      <RunsTable runs={page.runs} />
      <Group mt="md">
        {filters.cursor ? (
          <ButtonLink href={first} variant="default">
            Newest
          </ButtonLink>
        ) : null}
        {next ? (
          <ButtonLink href={`/workflows/runs?${next}`} variant="default">
            Older runs
          </ButtonLink>
        ) : null}
      </Group>
    </>
  );
}
