import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  TextInput,
} from '@mantine/core';
import type { User } from '../../lib/admin-api/types.ts';
import { when } from '../../lib/format.ts';
import { AnchorLink } from '../links.tsx';

/** The users list's search, a GET form (the address holds the search). */
export function UserSearch({
  search,
  status,
  invalid,
}: {
  search?: string | undefined;
  status?: string | undefined;
  invalid: boolean;
}) {
  return (
    <form method="get" aria-label="Search users">
      <Group align="flex-end" mb="md">
        <TextInput
          name="search"
          label="Search"
          placeholder="username, email or name"
          defaultValue={search ?? ''}
        />
        <NativeSelect
          name="status"
          label="Status"
          defaultValue={status ?? ''}
          data={[
            { value: '', label: 'Any' },
            { value: 'active', label: 'Active' },
            { value: 'disabled', label: 'Disabled' },
          ]}
        />
        <Button type="submit" variant="light">
          Search
        </Button>
      </Group>
      {invalid ? (
        <Text c="red" size="sm" role="alert">
          The search was not understood and was ignored.
        </Text>
      ) : null}
    </form>
  );
}

/** Users, each a link to their page. */
export function UsersTable({ users }: { users: User[] }) {
  return (
    <TableScrollContainer minWidth={640}>
      <Table striped highlightOnHover>
        <TableThead>
          <TableTr>
            <TableTh>Username</TableTh>
            <TableTh>Email</TableTh>
            <TableTh>Name</TableTh>
            <TableTh>Status</TableTh>
            <TableTh>Last sign-in</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {users.map((user) => (
            <TableTr key={user.id}>
              <TableTd>
                <AnchorLink href={`/users/${encodeURIComponent(user.id)}`}>{user.username}</AnchorLink>
              </TableTd>
              <TableTd>{user.email}</TableTd>
              <TableTd>{user.display_name}</TableTd>
              <TableTd>
                <Badge color={user.status === 'active' ? 'green' : 'gray'} variant="light">
                  {user.status}
                </Badge>
              </TableTd>
              <TableTd>{when(user.last_login_at)}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
