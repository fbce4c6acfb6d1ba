import { Group, Text } from '@mantine/core';
import type { Metadata } from 'next';
import type { z } from 'zod';
import { ButtonLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { UserSearch, UsersTable } from '../../components/users/users-list.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { Page, User } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
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
      <UserSearch search={query.search} status={query.status} invalid={!parsed.success} />
      <UsersTable users={page.items} />
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
