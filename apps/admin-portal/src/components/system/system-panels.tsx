import {
  Card,
  Paper,
  SimpleGrid,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { gatewayState, type SystemStatus } from '../../lib/system/status.ts';
import { StateBadge } from './state-badge.tsx';

/** Every service's readiness (its /ready answer). */
export function ServicesPanel({ services }: { services: SystemStatus['services'] }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Services (/ready)
      </Title>
      <Table>
        <TableThead>
          <TableTr>
            <TableTh>Service</TableTh>
            <TableTh>State</TableTh>
            <TableTh>Checks</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody data-testid="services">
          {services.map((s) => (
            <TableTr key={s.name}>
              <TableTd>{s.name}</TableTd>
              <TableTd>
                <StateBadge state={s.ready ? 'ok' : 'down'}>{s.ready ? 'ready' : 'not ready'}</StateBadge>
              </TableTd>
              <TableTd>{s.detail}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </Paper>
  );
}

/** The gateway's upstreams and how many of their servers are healthy. */
export function GatewayPanel({ gateway }: { gateway: SystemStatus['gateway'] }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Gateway upstreams <StateBadge state={gatewayState(gateway)}>{gatewayState(gateway)}</StateBadge>
      </Title>
      {!gateway.reachable ? (
        <Text c="red" role="alert">
          The gateway&apos;s /healthz: {gateway.detail}
        </Text>
      ) : null}
      <Table>
        <TableThead>
          <TableTr>
            <TableTh>Upstream</TableTh>
            <TableTh>Healthy servers</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody data-testid="upstreams">
          {gateway.upstreams.map((u) => (
            <TableTr key={u.name}>
              <TableTd>{u.name}</TableTd>
              <TableTd>
                <StateBadge state={u.healthy === u.servers ? 'ok' : u.healthy > 0 ? 'degraded' : 'down'}>
                  {u.healthy} / {u.servers}
                </StateBadge>
              </TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </Paper>
  );
}

/** Key figures, each with what it counts since. */
export function FigureCards({ figures }: { figures: Array<{ label: string; value: string; hint: string }> }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: figures.length > 3 ? 4 : 3 }} mb="lg">
      {figures.map((f) => (
        <Card key={f.label} withBorder data-testid={`figure-${f.label}`}>
          <Text size="sm">{f.label}</Text>
          <Text size="xl" fw={700}>
            {f.value}
          </Text>
          <Text size="xs">{f.hint}</Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}
