import { Badge, SimpleGrid } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ClientCredentials } from '../../../components/clients/client-credentials.tsx';
import { ClientSettings } from '../../../components/clients/client-settings.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import { exchangeAudiences } from '../../../lib/admin-api/exchange-audiences.ts';
import { knownScopes } from '../../../lib/admin-api/scopes.ts';
import type { Client } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Client' };

export default async function ClientPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const api = adminApi(session);
  const [client, scopes, audiences] = await load(
    Promise.all([
      api.get<Client>(`/clients/${encodeURIComponent(id)}`),
      knownScopes(api),
      exchangeAudiences(api),
    ]),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader
        title={client.name}
        description={`Client ID ${client.client_id}`}
        actions={
          <Badge size="lg" color={client.enabled ? 'green' : 'gray'} variant="light">
            {client.enabled ? 'enabled' : 'disabled'}
          </Badge>
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <ClientSettings client={client} scopes={scopes} audiences={audiences} write={write} />
        <ClientCredentials client={client} write={write} />
      </SimpleGrid>
    </>
  );
}
