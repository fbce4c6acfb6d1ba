import { Paper } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ProviderForm } from '../../../components/upstream-providers/provider-form.tsx';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { Role } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { callbackBase } from '../callback-base.ts';

export const metadata: Metadata = { title: 'New sign-in provider' };

export default async function NewSignInProviderPage() {
  const session = await requirePermission('admin:write');
  const roles = await load(adminApi(session).get<{ items: Role[] }>('/roles'));
  return (
    <>
      <PageHeader
        title="New sign-in provider"
        description="Register this platform as a client at the provider first, with the redirect URI below."
      />
      <Paper withBorder p="md" maw={720}>
        <ProviderForm roles={roles.items.map((role) => role.name)} callbackBase={callbackBase()} />
      </Paper>
    </>
  );
}
