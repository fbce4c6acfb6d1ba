import { Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm, CheckboxGroupField, Hidden, SwitchField, TextField } from '../../../components/form.tsx';
import { REQUIRE_MFA_HINT } from '../../../components/roles/roles-list.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { Named, Role } from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';
import { deleteRole, setRolePermissions, updateRole } from '../../actions/roles.ts';

export const metadata: Metadata = { title: 'Role' };

export default async function RolePage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const api = adminApi(session);
  const base = `/roles/${encodeURIComponent(id)}`;
  const role = await load(api.get<Role>(base));
  const [granted, all] = await load(
    Promise.all([
      api.get<{ items: Named[] }>(`${base}/permissions`),
      api.get<{ items: Named[] }>('/permissions'),
    ]),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader title={`Role ${role.name}`} description={role.description} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Permissions
          </Title>
          {write ? (
            <ActionForm action={setRolePermissions} submitLabel="Save permissions">
              <Hidden name="id" value={role.id} />
              <CheckboxGroupField
                name="permissions"
                label="Granted permissions"
                options={all.items.map((p) => ({ value: p.id, label: p.name }))}
                defaultValue={granted.items.map((p) => p.id)}
              />
            </ActionForm>
          ) : (
            <Text size="sm" data-testid="role-permissions">
              {granted.items.map((p) => p.name).join(' ') || 'none'}
            </Text>
          )}
        </Paper>
        {write ? (
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">
              Settings
            </Title>
            <ActionForm action={updateRole} schema="role" submitLabel="Save role">
              <Hidden name="id" value={role.id} />
              <TextField name="name" label="Name" defaultValue={role.name} required />
              <TextField name="description" label="Description" defaultValue={role.description} />
              <SwitchField
                name="mfa_required"
                label="Require MFA"
                description={REQUIRE_MFA_HINT}
                defaultChecked={role.mfa_required}
              />
            </ActionForm>
            <Group mt="lg">
              <ActionForm
                action={deleteRole}
                submitLabel="Delete role"
                color="red"
                variant="outline"
                confirm={{
                  title: `Delete role ${role.name}?`,
                  message: 'Users holding it lose its permissions at their next admin request.',
                  confirmLabel: 'Delete',
                }}
              >
                <Hidden name="id" value={role.id} />
              </ActionForm>
            </Group>
          </Paper>
        ) : null}
      </SimpleGrid>
    </>
  );
}
