import {
  Badge,
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
import type { Metadata } from 'next';
import { PageHeader } from '../../components/page-header.tsx';
import { requirePermission } from '../../lib/session/current.ts';
import { systemStatus } from '../../lib/system/status.ts';

export const metadata: Metadata = { title: 'System' };

const figure = (value: number | null, digits = 0) =>
  value === null ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

export default async function SystemPage() {
  await requirePermission('admin:read');
  const status = await systemStatus();
  const figures = [
    {
      label: 'Tokens issued',
      value: figure(status.figures.tokensIssued),
      hint: 'since oauth-service started',
    },
    {
      label: 'Sign-in failures',
      value: figure(status.figures.loginFailures),
      hint: `of ${figure(status.figures.loginAttempts)} attempts since start`,
    },
    {
      label: 'Gateway requests/s',
      value: figure(status.figures.gatewayRequestsPerSecond, 1),
      hint: `${figure(status.figures.gatewayRequestsTotal)} requests since the gateway started`,
    },
  ];
  return (
    <>
      <PageHeader
        title="System"
        description="Readiness of every service, the gateway's upstreams and key figures."
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="lg">
        {figures.map((f) => (
          <Card key={f.label} withBorder data-testid={`figure-${f.label}`}>
            <Text size="sm" c="dimmed">
              {f.label}
            </Text>
            <Text size="xl" fw={700}>
              {f.value}
            </Text>
            <Text size="xs" c="dimmed">
              {f.hint}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
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
              {status.services.map((s) => (
                <TableTr key={s.name}>
                  <TableTd>{s.name}</TableTd>
                  <TableTd>
                    <Badge color={s.ready ? 'green' : 'red'}>{s.ready ? 'ready' : 'not ready'}</Badge>
                  </TableTd>
                  <TableTd>{s.detail}</TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </Paper>
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Gateway upstreams
          </Title>
          {!status.gateway.reachable ? (
            <Text c="red" role="alert">
              The gateway&apos;s /healthz: {status.gateway.detail}
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
              {status.gateway.upstreams.map((u) => (
                <TableTr key={u.name}>
                  <TableTd>{u.name}</TableTd>
                  <TableTd>
                    <Badge color={u.healthy === u.servers ? 'green' : u.healthy > 0 ? 'yellow' : 'red'}>
                      {u.healthy} / {u.servers}
                    </Badge>
                  </TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </Paper>
      </SimpleGrid>
    </>
  );
}
