import { Text } from '@mantine/core';
import { segment } from '../../lib/api/client.ts';
import type { RunSummary } from '../../lib/flow-api/types.ts';
import { AnchorLink } from '../links.tsx';

// Who started a run, by name: the person (their username as their token named it, linked to their user page
// when the viewer may read users), or what the platform started it for (a schedule, a parent run).

type Starter = Pick<
  RunSummary,
  'trigger' | 'created_by' | 'created_by_name' | 'parent_run_id' | 'schedule_id'
>;

/** The person's name for the runs list: the username, else the subject id. */
export function starterName(run: Starter): string {
  return run.created_by_name ?? run.created_by ?? '';
}

export function StartedBy({ run, canReadUsers }: { run: Starter; canReadUsers: boolean }) {
  if (run.trigger === 'schedule') return <Text size="sm">Run started by a schedule</Text>;
  if (run.trigger === 'subflow' && run.parent_run_id) {
    return (
      <Text size="sm">
        Run started by run{' '}
        <AnchorLink href={`/workflows/runs/${segment(run.parent_run_id)}`}>{run.parent_run_id}</AnchorLink>
      </Text>
    );
  }
  const name = starterName(run);
  const person =
    canReadUsers && run.created_by_name && run.created_by ? (
      <AnchorLink href={`/users/${segment(run.created_by)}`}>{name}</AnchorLink>
    ) : (
      <b>{name}</b>
    );
  return (
    <Text size="sm" data-testid="run-started-by">
      Run started by {person}
      {run.trigger === 'rerun' ? ' (a rerun)' : ''}
    </Text>
  );
}
