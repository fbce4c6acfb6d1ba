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

/**
 * A state's box in the DAG from a Mantine colour's CSS variables (the theme's `light` variant: a pale fill
 * with readable text in the light scheme, a deep fill with pale text in the dark one), so the DAG follows the
 * colour scheme like the rest of the page.
 */
const themed = (color: string) => ({
  badge: color,
  fill: `var(--mantine-color-${color}-light)`,
  stroke: `var(--mantine-color-${color}-outline)`,
  text: `var(--mantine-color-${color}-light-color)`,
});

export const STATE_STYLES: Record<FlowState, StateStyle> = {
  pending: { label: 'Pending', ...themed('gray'), dashed: false },
  running: { label: 'Running', ...themed('blue'), dashed: true },
  waiting: { label: 'Waiting', ...themed('yellow'), dashed: true },
  succeeded: { label: 'Succeeded', ...themed('green'), dashed: false },
  failed: { label: 'Failed', ...themed('red'), dashed: false },
  // Pending's pale grey with the text colour as its outline: finished, not waiting to start.
  cancelled: {
    label: 'Cancelled',
    ...themed('gray'),
    badge: 'dark',
    stroke: 'var(--mantine-color-text)',
    dashed: false,
  },
  timed_out: { label: 'Timed out', ...themed('orange'), dashed: false },
};

/** The style of a state; an unknown one (a newer flow-service) is drawn as pending rather than breaking. */
export function stateStyle(state: string): StateStyle {
  return (STATE_STYLES as Record<string, StateStyle>)[state] ?? STATE_STYLES.pending;
}
