import { SimpleGrid } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ResourceServerScopes } from '../../../components/resource-servers/resource-server-scopes.tsx';
import { ResourceServerSettings } from '../../../components/resource-servers/resource-server-settings.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { ResourceServer } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Resource server' };

export default async function ResourceServerPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const server = await load(
    adminApi(session).get<ResourceServer>(`/resource-servers/${encodeURIComponent(id)}`),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader title={server.name} description={server.identifier} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <ResourceServerScopes server={server} write={write} />
        {write ? <ResourceServerSettings server={server} /> : null}
      </SimpleGrid>
    </>
  );
}
