'use client';

import '@mantine/charts/styles.css';
import { AreaChart, BarChart, LineChart } from '@mantine/charts';
import { Paper, SimpleGrid, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** One bucket as the charts draw it; `label` is its start, already formatted on the server (UTC). */
export interface ActivityPoint {
  label: string;
  succeeded: number;
  failed: number;
  tokens: number;
  users: number;
}

const CHART_HEIGHT = 220;

function ChartCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={3} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** Sign-ins (stacked success and failure), tokens issued and active users, one point per bucket. */
export function ActivityCharts({ points }: { points: ActivityPoint[] }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
      <ChartCard title="Sign-ins" testId="chart-sign-ins">
        <BarChart
          h={CHART_HEIGHT}
          data={points}
          dataKey="label"
          type="stacked"
          withLegend
          series={[
            { name: 'succeeded', label: 'Succeeded', color: 'teal.8' },
            { name: 'failed', label: 'Failed', color: 'red.8' },
          ]}
        />
      </ChartCard>
      <ChartCard title="Tokens issued" testId="chart-tokens">
        <AreaChart
          h={CHART_HEIGHT}
          data={points}
          dataKey="label"
          curveType="linear"
          series={[{ name: 'tokens', label: 'Tokens issued', color: 'blue.8' }]}
        />
      </ChartCard>
      <ChartCard title="Active users" testId="chart-users">
        <LineChart
          h={CHART_HEIGHT}
          data={points}
          dataKey="label"
          curveType="linear"
          series={[{ name: 'users', label: 'Active users', color: 'violet.8' }]}
        />
      </ChartCard>
    </SimpleGrid>
  );
}
