import {
  Paper,
  SimpleGrid,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Title,
} from '@mantine/core';
import type { Metadata } from 'next';
import { ActionForm, CheckboxGroupField, Hidden, TextField } from '../../components/form.tsx';
import { AnchorLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Named } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';
import { createPermission, createRole, deletePermission } from '../actions/roles.ts';

export const metadata: Metadata = { title: 'Roles & permissions' };

export default async function RolesPage() {
  const session = await requirePermission('admin:read');
  const api = adminApi(session);
  const [roles, permissions] = await load(
    Promise.all([api.get<{ items: Named[] }>('/roles'), api.get<{ items: Named[] }>('/permissions')]),
  );
  const write = can(session.permissions, 'admin:write');
  const permissionOptions = permissions.items.map((p) => ({ value: p.id, label: p.name }));
  return (
    <>
      <PageHeader
        title="Roles & permissions"
        description="A permission is named after the OAuth scope it lets a user be granted; roles bundle permissions."
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Roles
          </Title>
          <Table>
            <TableThead>
              <TableTr>
                <TableTh>Role</TableTh>
                <TableTh>Description</TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {roles.items.map((role) => (
                <TableTr key={role.id}>
                  <TableTd>
                    <AnchorLink href={`/roles/${encodeURIComponent(role.id)}`}>{role.name}</AnchorLink>
                  </TableTd>
                  <TableTd>{role.description}</TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
          {write ? (
            <>
              <Title order={4} size="h5" mt="lg" mb="xs">
                New role
              </Title>
              <ActionForm action={createRole} schema="role" submitLabel="Create role">
                <TextField name="name" label="Name" required description="One word, e.g. auditor." />
                <TextField name="description" label="Description" />
                <CheckboxGroupField name="permissions" label="Permissions" options={permissionOptions} />
              </ActionForm>
            </>
          ) : null}
        </Paper>
        <Paper withBorder p="md">
          <Title order={3} size="h4" mb="sm">
            Permissions
          </Title>
          <Table>
            <TableThead>
              <TableTr>
                <TableTh>Permission</TableTh>
                <TableTh>Description</TableTh>
                {write ? <TableTh /> : null}
              </TableTr>
            </TableThead>
            <TableTbody>
              {permissions.items.map((permission) => (
                <TableTr key={permission.id}>
                  <TableTd>{permission.name}</TableTd>
                  <TableTd>{permission.description}</TableTd>
                  {write ? (
                    <TableTd>
                      <ActionForm
                        action={deletePermission}
                        submitLabel="Delete"
                        variant="subtle"
                        color="red"
                        size="xs"
                        inline
                        confirm={{
                          title: `Delete permission ${permission.name}?`,
                          message: 'Every role loses it; users can no longer be granted that scope.',
                          confirmLabel: 'Delete',
                        }}
                      >
                        <Hidden name="id" value={permission.id} />
                      </ActionForm>
                    </TableTd>
                  ) : null}
                </TableTr>
              ))}
            </TableTbody>
          </Table>
          {write ? (
            <>
              <Title order={4} size="h5" mt="lg" mb="xs">
                New permission
              </Title>
              <ActionForm
                action={createPermission}
                schema="permission"
                submitLabel="Create permission"
                resetOnSuccess
              >
                <TextField name="name" label="Name (the scope it allows)" required />
                <TextField name="description" label="Description" />
              </ActionForm>
            </>
          ) : null}
        </Paper>
      </SimpleGrid>
    </>
  );
}
