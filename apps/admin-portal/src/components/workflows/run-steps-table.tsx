import { Box, Button, Code, Grid, Paper, Table, Text, Title } from '@mantine/core';
import type { RunStep } from '../../lib/flow-api/types.ts';
import { StateBadge } from './state-badge.tsx';

/** The run's steps as a table; a step's name opens its panel. */
export function RunStepsTable(props: { steps: RunStep[]; onSelect: (stepId: string) => void }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Steps
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Depends on</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.steps.map((s) => (
              <Table.Tr key={s.id} data-testid={`step-row-${s.id}`}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => props.onSelect(s.id)}>
                    {s.id}
                  </Button>
                </Table.Td>
                <Table.Td>{s.type}</Table.Td>
                <Table.Td>
                  <Box miw="max-content">
                    <StateBadge state={s.state} />
                  </Box>
                </Table.Td>
                <Table.Td>
                  {s.attempt} / {s.max_attempts}
                </Table.Td>
                <Table.Td>{s.depends_on.join(', ') || '—'}</Table.Td>
                <Table.Td>{s.error ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** The run's input and output, as JSON. */
export function RunInputOutput(props: { input: unknown; output: unknown }) {
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Text size="sm" fw={600}>
          Input
        </Text>
        <Code block>{JSON.stringify(props.input, null, 2)}</Code>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Text size="sm" fw={600}>
          Output
        </Text>
        <Code block data-testid="run-output">
          {JSON.stringify(props.output, null, 2)}
        </Code>
      </Grid.Col>
    </Grid>
  );
}
