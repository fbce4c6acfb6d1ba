import { Group, Paper, Text, Title } from '@mantine/core';
import { type ComponentHealth, gatewayState } from '../../lib/system/status.ts';
import { AnchorLink } from '../links.tsx';
import { StateBadge } from '../system/state-badge.tsx';

/** One badge per component: every configured service's readiness and the gateway's upstreams. */
export function HealthStrip({ health }: { health: ComponentHealth }) {
  const gateway = gatewayState(health.gateway);
  const healthyUpstreams = health.gateway.upstreams.filter((u) => u.healthy === u.servers).length;
  return (
    <Paper withBorder p="md" mb="lg">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          Health
        </Title>
        <AnchorLink href="/system">System details</AnchorLink>
      </Group>
      <Group gap="lg" data-testid="health-strip">
        {health.services.map((s) => (
          <Group key={s.name} gap={6} data-testid={`health-${s.name}`}>
            <Text size="sm">{s.name}</Text>
            <StateBadge state={s.ready ? 'ok' : 'down'}>{s.ready ? 'ready' : 'not ready'}</StateBadge>
          </Group>
        ))}
        <Group gap={6} data-testid="health-gateway">
          <Text size="sm">gateway</Text>
          <StateBadge state={gateway}>
            {health.gateway.reachable
              ? `${healthyUpstreams} / ${health.gateway.upstreams.length} upstreams`
              : 'unreachable'}
          </StateBadge>
        </Group>
      </Group>
    </Paper>
  );
}
