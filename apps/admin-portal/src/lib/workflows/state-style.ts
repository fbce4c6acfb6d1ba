import type { FlowState } from '../flow-api/types.ts';

// One colour per state, used by the DAG nodes, the state badges and the legend. Chosen to be told apart
// without colour too: every node also prints its state, and running/waiting get a dashed outline.

export interface StateStyle {
  label: string;
  /** Mantine colour name for badges. */
  badge: string;
  fill: string;
  stroke: string;
  text: string;
  dashed: boolean;
}

export const STATE_STYLES: Record<FlowState, StateStyle> = {
  pending: {
    label: 'Pending',
    badge: 'gray',
    fill: '#f1f3f5',
    stroke: '#868e96',
    text: '#343a40',
    dashed: false,
  },
  running: {
    label: 'Running',
    badge: 'blue',
    fill: '#e7f5ff',
    stroke: '#1c7ed6',
    text: '#1864ab',
    dashed: true,
  },
  waiting: {
    label: 'Waiting',
    badge: 'yellow',
    fill: '#fff9db',
    stroke: '#f59f00',
    text: '#8a5a00',
    dashed: true,
  },
  succeeded: {
    label: 'Succeeded',
    badge: 'green',
    fill: '#ebfbee',
    stroke: '#2f9e44',
    text: '#2b8a3e',
    dashed: false,
  },
  failed: {
    label: 'Failed',
    badge: 'red',
    fill: '#fff5f5',
    stroke: '#e03131',
    text: '#c92a2a',
    dashed: false,
  },
  cancelled: {
    label: 'Cancelled',
    badge: 'dark',
    fill: '#f8f9fa',
    stroke: '#495057',
    text: '#495057',
    dashed: false,
  },
  timed_out: {
    label: 'Timed out',
    badge: 'orange',
    fill: '#fff4e6',
    stroke: '#e8590c',
    text: '#d9480f',
    dashed: false,
  },
};

/** The style of a state; an unknown one (a newer flow-service) is drawn as pending rather than breaking. */
export function stateStyle(state: string): StateStyle {
  return (STATE_STYLES as Record<string, StateStyle>)[state] ?? STATE_STYLES.pending;
}
