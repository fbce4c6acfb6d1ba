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
import type { Metadata } from 'next';
import type { z } from 'zod';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Page, User } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { when } from '../../lib/format.ts';
import { userSearchSchema } from '../../lib/forms/schemas.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Users' };
const PAGE_SIZE = 25;

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('admin:read');
  const parsed = userSearchSchema.safeParse(await searchParams);
  const query: Partial<z.infer<typeof userSearchSchema>> = parsed.success ? parsed.data : {};
  const page = await load(
    adminApi(session).get<Page<User>>('/users', {
      search: query.search,
      status: query.status,
      cursor: query.cursor,
      limit: PAGE_SIZE,
    }),
  );
  const keep = new URLSearchParams();
  if (query.search) keep.set('search', query.search);
  if (query.status) keep.set('status', query.status);
  const next = page.next_cursor ? new URLSearchParams(keep) : null;
  next?.set('cursor', page.next_cursor!);

  return (
    <>
      <PageHeader
        title="Users"
        description="Accounts that can sign in through oauth-service."
        actions={
          can(session.permissions, 'admin:write') ? <ButtonLink href="/users/new">New user</ButtonLink> : null
        }
      />
      <form method="get" aria-label="Search users">
        <Group align="flex-end" mb="md">
          <TextInput
            name="search"
            label="Search"
            placeholder="username, email or name"
            defaultValue={query.search ?? ''}
          />
          <NativeSelect
            name="status"
            label="Status"
            defaultValue={query.status ?? ''}
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
        {!parsed.success ? (
          <Text c="red" size="sm" role="alert">
            The search was not understood and was ignored.
          </Text>
        ) : null}
      </form>
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
            {page.items.map((user) => (
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
      {page.items.length === 0 ? <Text mt="md">No users match.</Text> : null}
      <Group mt="md">
        {query.cursor ? (
          <ButtonLink href={`/users${keep.size ? `?${keep}` : ''}`} variant="default">
            First page
          </ButtonLink>
        ) : null}
        {next ? (
          <ButtonLink href={`/users?${next}`} variant="default">
            Next page
          </ButtonLink>
        ) : null}
      </Group>
    </>
  );
}
