'use client';

import { Button, Group } from '@mantine/core';
import Link from 'next/link';

const RANGES = [
  { value: '24h', label: '24 hours' },
  { value: '7d', label: '7 days' },
] as const;

/** Links to the Overview over each range; the shown one is marked (aria-current) and filled. */
export function RangeSwitch({ range }: { range: string }) {
  return (
    <Group gap={4} role="group" aria-label="Period">
      {RANGES.map((r) => (
        <Button
          key={r.value}
          component={Link}
          href={`/?range=${r.value}`}
          size="xs"
          variant={r.value === range ? 'filled' : 'default'}
          aria-current={r.value === range ? 'page' : undefined}
        >
          {r.label}
        </Button>
      ))}
    </Group>
  );
}
