import { SimpleGrid } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { PermissionsList } from '../../components/roles/permissions-list.tsx';
import { RolesList } from '../../components/roles/roles-list.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Named, Role } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Roles & permissions' };

export default async function RolesPage() {
  const session = await requirePermission('admin:read');
  const api = adminApi(session);
  const [roles, permissions] = await load(
    Promise.all([api.get<{ items: Role[] }>('/roles'), api.get<{ items: Named[] }>('/permissions')]),
  );
  const write = can(session.permissions, 'admin:write');
  return (
    <>
      <PageHeader
        title="Roles & permissions"
        description="A permission is named after the OAuth scope it lets a user be granted; roles bundle permissions."
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <RolesList roles={roles.items} permissions={permissions.items} write={write} />
        <PermissionsList permissions={permissions.items} write={write} />
      </SimpleGrid>
    </>
  );
}
