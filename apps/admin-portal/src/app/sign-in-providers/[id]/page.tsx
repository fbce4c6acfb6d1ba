import { Group, Paper, Title } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm, Hidden } from '../../../components/form.tsx';
import { ProviderForm } from '../../../components/upstream-providers/provider-form.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { Role, UpstreamProvider } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { deleteUpstreamProvider } from '../../actions/upstream-providers.ts';
import { callbackBase } from '../callback-base.ts';
import { ProviderSummary } from './provider-summary.tsx';

export const metadata: Metadata = { title: 'Sign-in provider' };

export default async function SignInProviderPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const api = adminApi(session);
  const provider = await load(api.get<UpstreamProvider>(`/upstream-providers/${encodeURIComponent(id)}`));
  const write = can(session.permissions, 'admin:write');
  const title = `${provider.display_name} (${provider.id})`;
  if (!write)
    return (
      <>
        <PageHeader title={title} description="Sign-in provider" />
        <ProviderSummary provider={provider} />
      </>
    );
  const roles = await load(api.get<{ items: Role[] }>('/roles'));
  return (
    <>
      <PageHeader title={title} description="Sign-in provider" />
      <Paper withBorder p="md" maw={720}>
        <ProviderForm
          provider={provider}
          roles={roles.items.map((role) => role.name)}
          callbackBase={callbackBase()}
        />
      </Paper>
      <Paper withBorder p="md" mt="lg" maw={720}>
        <Title order={3} size="h4" mb="sm">
          Delete
        </Title>
        <Group>
          <ActionForm
            action={deleteUpstreamProvider}
            submitLabel="Delete sign-in provider"
            color="red"
            variant="outline"
            confirm={{
              title: `Delete ${provider.display_name}?`,
              message:
                'Its button leaves the sign-in page and every account link to it is removed: users who signed in only through it need a password reset or a new link. This cannot be undone.',
              confirmLabel: 'Delete',
            }}
          >
            <Hidden name="id" value={provider.id} />
          </ActionForm>
        </Group>
      </Paper>
    </>
  );
}
