import {
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import type { RunSummary } from '../../lib/flow-api/types.ts';
import { AnchorLink } from '../links.tsx';
import { starterName } from './started-by.tsx';
import { StateBadge } from './state-badge.tsx';

/** Runs, newest first, each linking to its live view. */
export function RunsTable(props: { runs: RunSummary[] }) {
  if (props.runs.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No runs.
      </Text>
    );
  return (
    <TableScrollContainer minWidth={800}>
      <Table striped highlightOnHover data-testid="runs">
        <TableThead>
          <TableTr>
            <TableTh>Run</TableTh>
            <TableTh>Definition</TableTh>
            <TableTh>State</TableTh>
            <TableTh>Trigger</TableTh>
            <TableTh>Created</TableTh>
            <TableTh>Finished</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {props.runs.map((run) => (
            <TableTr key={run.id} data-testid={`run-${run.id}`}>
              <TableTd>
                <AnchorLink href={`/workflows/runs/${encodeURIComponent(run.id)}`}>{run.id}</AnchorLink>
              </TableTd>
              <TableTd>
                {run.definition} v{run.version}
              </TableTd>
              <TableTd>
                <StateBadge state={run.state} />
              </TableTd>
              <TableTd>
                {run.trigger === 'api' || run.trigger === 'rerun'
                  ? `${run.trigger} · ${starterName(run)}`
                  : run.trigger}
              </TableTd>
              <TableTd>{when(run.created_at)}</TableTd>
              <TableTd>{when(run.finished_at)}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
