import { Badge, SimpleGrid } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { OneTimeNotice } from '../../../components/one-time-notice.tsx';
import { UserAccount } from '../../../components/users/user-account.tsx';
import { UserFactorsCard } from '../../../components/users/user-factors.tsx';
import { UserProfile } from '../../../components/users/user-profile.tsx';
import { UserRoles } from '../../../components/users/user-roles.tsx';
import { UserSessions } from '../../../components/users/user-sessions.tsx';
import { UserSignInsCard } from '../../../components/users/user-sign-ins.tsx';
import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type {
  ClientGrants,
  Role,
  SessionInfo,
  User,
  UserFactors,
  UserSignIns,
} from '../../../lib/admin-api/types.ts';
import { load } from '../../../lib/api/page.ts';
import { requirePermission } from '../../../lib/session/current.ts';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const session = await requirePermission('admin:read');
  const { id } = await params;
  const { created } = await searchParams;
  const api = adminApi(session);
  const base = `/users/${encodeURIComponent(id)}`;
  const user = await load(api.get<User>(base));
  const [userRoles, allRoles, sessions, grants, factors, signIns] = await load(
    Promise.all([
      api.get<{ items: Role[] }>(`${base}/roles`),
      api.get<{ items: Role[] }>('/roles'),
      api.get<{ items: SessionInfo[] }>(`${base}/sessions`),
      api.get<{ items: ClientGrants[] }>(`${base}/grants`),
      api.get<UserFactors>(`${base}/factors`),
      api.get<UserSignIns>(`${base}/linked-sign-ins`),
    ]),
  );
  const write = can(session.permissions, 'admin:write');

  return (
    <>
      <PageHeader
        title={user.username}
        description={`${user.email}${user.display_name ? ` · ${user.display_name}` : ''}`}
        actions={
          <Badge
            size="lg"
            color={user.status === 'active' ? 'green' : 'gray'}
            variant="light"
            data-testid="user-status"
          >
            {user.status}
          </Badge>
        }
      />
      {created ? <OneTimeNotice>User {user.username} created.</OneTimeNotice> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <UserProfile user={user} write={write} />
        <UserRoles user={user} userRoles={userRoles.items} allRoles={allRoles.items} write={write} />
        <UserFactorsCard user={user} factors={factors} write={write} />
        <UserSignInsCard user={user} signIns={signIns} write={write} />
        <UserSessions user={user} write={write} sessions={sessions.items} grants={grants.items} />
        {write ? <UserAccount user={user} signIns={signIns} /> : null}
      </SimpleGrid>
    </>
  );
}
