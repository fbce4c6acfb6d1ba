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
import { when } from '@platform/ui/format';
import type { User } from '../../lib/admin-api/types.ts';
import type { ListSort } from '../../lib/lists/list-params.ts';
import type { UserSort } from '../../lib/lists/sorts.ts';
import { AnchorLink } from '../links.tsx';
import { SortableTh } from '../lists/list-controls.tsx';

/** The users list's search, a GET form (the address holds the search). */
export function UserSearch({
  search,
  status,
  sort,
  invalid,
}: {
  search?: string | undefined;
  status?: string | undefined;
  sort: ListSort<UserSort>;
  invalid: boolean;
}) {
  return (
    <form method="get" aria-label="Search users">
      {/* A new search keeps the list's order and starts from its first page. */}
      <input type="hidden" name="sort" value={sort.sort} />
      <input type="hidden" name="order" value={sort.order} />
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

/** Users, each a link to their page; the headers of sortable columns sort the list. */
export function UsersTable({
  users,
  filters,
  sort,
}: {
  users: User[];
  /** The search in force, kept by the sort links. */
  filters: URLSearchParams;
  sort: ListSort<UserSort>;
}) {
  const sortable = { path: '/users', base: filters, current: sort };
  return (
    <TableScrollContainer minWidth={760}>
      <Table striped highlightOnHover>
        <TableThead>
          <TableTr>
            <SortableTh {...sortable} column="username">
              Username
            </SortableTh>
            <SortableTh {...sortable} column="email">
              Email
            </SortableTh>
            <TableTh>Name</TableTh>
            <TableTh>Status</TableTh>
            <SortableTh {...sortable} column="last_login_at" firstOrder="desc">
              Last sign-in
            </SortableTh>
            <SortableTh {...sortable} column="created_at" firstOrder="desc">
              Created
            </SortableTh>
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
              <TableTd>{when(user.created_at)}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
