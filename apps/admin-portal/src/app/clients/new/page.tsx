import { Paper } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ClientFields } from '../../../components/client-fields.tsx';
import { ActionForm } from '../../../components/form.tsx';
import { adminApi } from '../../../lib/admin-api/client.ts';
import { exchangeAudiences } from '../../../lib/admin-api/exchange-audiences.ts';
import { knownScopes } from '../../../lib/admin-api/scopes.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { createClient } from '../../actions/clients.ts';

export const metadata: Metadata = { title: 'New client' };

export default async function NewClientPage() {
  const session = await requirePermission('admin:write');
  const api = adminApi(session);
  const [scopes, audiences] = await load(Promise.all([knownScopes(api), exchangeAudiences(api)]));
  return (
    <>
      <PageHeader
        title="New client"
        description="A confidential client's secret is shown once, right after creation."
      />
      <Paper withBorder p="md" maw={720}>
        <ActionForm action={createClient} schema="clientCreate" submitLabel="Create client" replaceOnSuccess>
          <ClientFields scopes={scopes} audiences={audiences} />
        </ActionForm>
      </Paper>
    </>
  );
}
