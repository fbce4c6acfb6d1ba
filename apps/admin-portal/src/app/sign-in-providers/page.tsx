import {
  Badge,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { can } from '../../lib/access/permissions.ts';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { UpstreamProvider } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Sign-in providers' };

const KIND_LABEL = { oidc: 'OpenID Connect', oauth2: 'OAuth 2.0' } as const;

export default async function SignInProvidersPage() {
  const session = await requirePermission('admin:read');
  const providers = await load(adminApi(session).get<{ items: UpstreamProvider[] }>('/upstream-providers'));
  return (
    <>
      <PageHeader
        title="Sign-in providers"
        description='Other identity providers users sign in with ("Sign in with …"): OpenID Connect by issuer discovery, or OAuth 2.0 with a user info endpoint.'
      />
      {can(session.permissions, 'admin:write') ? (
        <ButtonLink href="/sign-in-providers/new">New sign-in provider</ButtonLink>
      ) : null}
      {providers.items.length === 0 ? (
        <Text c="dimmed" mt="md">
          No sign-in provider yet: users sign in with their password or passkey only.
        </Text>
      ) : (
        <TableScrollContainer minWidth={720} mt="md">
          <Table striped>
            <TableThead>
              <TableTr>
                <TableTh>Name</TableTh>
                <TableTh>Id</TableTh>
                <TableTh>Kind</TableTh>
                <TableTh>Accounts at first sign-in</TableTh>
                <TableTh>State</TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {providers.items.map((provider) => (
                <TableTr key={provider.id}>
                  <TableTd>
                    <AnchorLink href={`/sign-in-providers/${encodeURIComponent(provider.id)}`}>
                      {provider.display_name}
                    </AnchorLink>
                  </TableTd>
                  <TableTd>
                    <Text size="sm" ff="monospace">
                      {provider.id}
                    </Text>
                  </TableTd>
                  <TableTd>{KIND_LABEL[provider.kind]}</TableTd>
                  <TableTd>{provider.jit_enabled ? 'created' : 'must exist'}</TableTd>
                  <TableTd>
                    <Badge color={provider.enabled ? 'green' : 'gray'} variant="light">
                      {provider.enabled ? 'enabled' : 'disabled'}
                    </Badge>
                  </TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
    </>
  );
}
