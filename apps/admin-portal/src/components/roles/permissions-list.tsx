import { Paper, Table, TableTbody, TableTd, TableTh, TableThead, TableTr, Title } from '@mantine/core';
import { createPermission, deletePermission } from '../../app/actions/roles.ts';
import type { Named } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, RowAction, TextField } from '../form.tsx';

/** The permissions, each deletable, and the form for a new one. */
export function PermissionsList({ permissions, write }: { permissions: Named[]; write: boolean }) {
  return (
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
          {permissions.map((permission) => (
            <TableTr key={permission.id}>
              <TableTd>{permission.name}</TableTd>
              <TableTd>{permission.description}</TableTd>
              {write ? (
                <TableTd>
                  <RowAction
                    action={deletePermission}
                    label="Delete"
                    confirm={{
                      title: `Delete permission ${permission.name}?`,
                      message: 'Every role loses it; users can no longer be granted that scope.',
                      confirmLabel: 'Delete',
                    }}
                  >
                    <Hidden name="id" value={permission.id} />
                  </RowAction>
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
  );
}
