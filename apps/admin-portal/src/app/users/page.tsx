import { Group, Text } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import type { z } from 'zod';
import { ButtonLink } from '../../components/links.tsx';
import { ExportLink, Pager } from '../../components/lists/list-controls.tsx';
import { UserSearch, UsersTable } from '../../components/users/users-list.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Page, User } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { userSearchSchema } from '../../lib/forms/schemas.ts';
import { keptParams, pageLinks, pagingFrom, sortFrom } from '../../lib/lists/list-params.ts';
import { DEFAULT_USER_SORT, USER_SORTS } from '../../lib/lists/sorts.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Users' };
const PAGE_SIZE = 25;

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('admin:read');
  const raw = await searchParams;
  const parsed = userSearchSchema.safeParse(raw);
  const query: Partial<z.infer<typeof userSearchSchema>> = parsed.success ? parsed.data : {};
  const sort = sortFrom(raw, USER_SORTS, DEFAULT_USER_SORT);
  const paging = pagingFrom(raw);
  const page = await load(
    adminApi(session).get<Page<User>>('/users', {
      search: query.search,
      status: query.status,
      sort: sort.sort,
      order: sort.order,
      cursor: paging.cursor,
      limit: PAGE_SIZE,
    }),
  );
  const filters = parsed.success ? keptParams(raw, ['search', 'status']) : new URLSearchParams();
  const sorted = new URLSearchParams(filters);
  sorted.set('sort', sort.sort);
  sorted.set('order', sort.order);

  return (
    <>
      <PageHeader
        title="Users"
        description="Accounts that can sign in through oauth-service."
        actions={
          <Group>
            <ExportLink path="/users/export" query={sorted}>
              Export CSV
            </ExportLink>
            {can(session.permissions, 'admin:write') ? (
              <ButtonLink href="/users/new">New user</ButtonLink>
            ) : null}
          </Group>
        }
      />
      <UserSearch search={query.search} status={query.status} sort={sort} invalid={!parsed.success} />
      <UsersTable users={page.items} filters={filters} sort={sort} />
      {page.items.length === 0 ? <Text mt="md">No users match.</Text> : null}
      <Pager path="/users" links={pageLinks(sorted, paging, page.next_cursor)} label="Pages of users" />
    </>
  );
}
