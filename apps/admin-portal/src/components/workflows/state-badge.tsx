import { Badge } from '@mantine/core';
import { stateStyle } from '../../lib/workflows/state-style.ts';

/** A run's or step's state, in the state's colour (the same as the DAG's). */
export function StateBadge(props: { state: string; testId?: string }) {
  const style = stateStyle(props.state);
  return (
    <Badge color={style.badge} variant="light" data-testid={props.testId} data-state={props.state}>
      {style.label}
    </Badge>
  );
}
