import { Paper, Table, TableTbody, TableTd, TableTh, TableThead, TableTr, Title } from '@mantine/core';
import { addScope, deleteScope } from '../../app/actions/resources.ts';
import type { ResourceServer } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden, RowAction, TextField } from '../form.tsx';

/** The resource server's scopes, each deletable, and the form for a new one. */
export function ResourceServerScopes({ server, write }: { server: ResourceServer; write: boolean }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Scopes
      </Title>
      <Table>
        <TableThead>
          <TableTr>
            <TableTh>Scope</TableTh>
            <TableTh>Description</TableTh>
            {write ? <TableTh /> : null}
          </TableTr>
        </TableThead>
        <TableTbody>
          {server.scopes.map((scope) => (
            <TableTr key={scope.name}>
              <TableTd>{scope.name}</TableTd>
              <TableTd>{scope.description}</TableTd>
              {write ? (
                <TableTd>
                  <RowAction
                    action={deleteScope}
                    label="Delete"
                    confirm={{
                      title: `Delete scope ${scope.name}?`,
                      message: 'Clients lose it and new tokens no longer carry it.',
                      confirmLabel: 'Delete',
                    }}
                  >
                    <Hidden name="id" value={server.id} />
                    <Hidden name="scope" value={scope.name} />
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
            Add a scope
          </Title>
          <ActionForm action={addScope} schema="scope" submitLabel="Add scope" resetOnSuccess>
            <Hidden name="id" value={server.id} />
            <TextField name="name" label="Scope" required placeholder={`${server.name}:read`} />
            <TextField name="description" label="Description" />
          </ActionForm>
        </>
      ) : null}
    </Paper>
  );
}
