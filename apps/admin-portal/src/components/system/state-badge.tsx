import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';
import { type HealthState, STATE_BADGE_COLORS, STATE_BADGE_TEXT } from '../../lib/system/states.ts';

/** A filled badge in the state's colour, white text at ≥ 4.5:1 (lib/system/states.ts). */
export function StateBadge({ state, children }: { state: HealthState; children: ReactNode }) {
  return (
    <Badge color={STATE_BADGE_COLORS[state]} c={STATE_BADGE_TEXT} data-state={state}>
      {children}
    </Badge>
  );
}
