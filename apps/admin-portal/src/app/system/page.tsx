import { SimpleGrid } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AutoRefresh } from '../../components/system/auto-refresh.tsx';
import { MfaAdoptionPanel } from '../../components/system/mfa-adoption.tsx';
import { SignInFailureAlert } from '../../components/system/sign-in-warning.tsx';
import { FigureCards, GatewayPanel, ServicesPanel } from '../../components/system/system-panels.tsx';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { MfaAdoption } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';
import { ACTIVITY_RANGE_LABELS, loadActivity } from '../../lib/system/activity.ts';
import { systemStatus } from '../../lib/system/status.ts';

export const metadata: Metadata = { title: 'System' };

/** How often the page reads every service again. */
const REFRESH_INTERVAL_MS = 10_000;

const figure = (value: number | null, digits = 0) =>
  value === null ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

export default async function SystemPage() {
  const session = await requirePermission('admin:read');
  const [status, activity, adoption] = await Promise.all([
    systemStatus(),
    loadActivity(session, '24h'),
    load(adminApi(session).get<MfaAdoption>('/stats/mfa')),
  ]);
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
        actions={
          <AutoRefresh
            updatedAt={new Date(status.checkedAt).toISOString()}
            intervalMs={REFRESH_INTERVAL_MS}
          />
        }
      />
      <SignInFailureAlert counts={activity.totals} period={ACTIVITY_RANGE_LABELS['24h']} />
      <FigureCards figures={figures} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <ServicesPanel services={status.services} />
        <GatewayPanel gateway={status.gateway} />
        <MfaAdoptionPanel adoption={adoption} />
      </SimpleGrid>
    </>
  );
}
