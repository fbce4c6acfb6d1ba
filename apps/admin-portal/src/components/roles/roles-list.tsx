import { Paper, Table, TableTbody, TableTd, TableTh, TableThead, TableTr, Title } from '@mantine/core';
import { createRole } from '../../app/actions/roles.ts';
import type { Named, Role } from '../../lib/admin-api/types.ts';
import { ActionForm, CheckboxGroupField, SwitchField, TextField } from '../form.tsx';
import { AnchorLink } from '../links.tsx';

export const REQUIRE_MFA_HINT =
  'Holders sign in with a second factor (TOTP or a passkey); one without is taken through enrolment at sign-in.';

/** The roles, each a link to its page, and the form for a new one. */
export function RolesList(props: { roles: Role[]; permissions: Named[]; write: boolean }) {
  const { roles, write } = props;
  const permissionOptions = props.permissions.map((p) => ({ value: p.id, label: p.name }));
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Roles
      </Title>
      <Table>
        <TableThead>
          <TableTr>
            <TableTh>Role</TableTh>
            <TableTh>Description</TableTh>
            <TableTh>MFA</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {roles.map((role) => (
            <TableTr key={role.id}>
              <TableTd>
                <AnchorLink href={`/roles/${encodeURIComponent(role.id)}`}>{role.name}</AnchorLink>
              </TableTd>
              <TableTd>{role.description}</TableTd>
              <TableTd>{role.mfa_required ? 'required' : 'optional'}</TableTd>
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
            <SwitchField name="mfa_required" label="Require MFA" description={REQUIRE_MFA_HINT} />
            <CheckboxGroupField name="permissions" label="Permissions" options={permissionOptions} />
          </ActionForm>
        </>
      ) : null}
    </Paper>
  );
}
