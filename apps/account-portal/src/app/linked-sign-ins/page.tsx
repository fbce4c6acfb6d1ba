import {
  Button,
  Card,
  Group,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { accountApi } from '../../lib/api/client.ts';
import type { LinkedIdentities } from '../../lib/api/types.ts';
import { accountConfig } from '../../lib/config.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { unlinkSignIn } from '../actions/linked-sign-ins.ts';

export const metadata: Metadata = { title: 'Linked sign-ins' };

type Linked = LinkedIdentities['linked'][number];

function LinkedRow({ link }: { link: Linked }) {
  return (
    <TableTr data-testid="linked-row" data-provider={link.providerId}>
      <TableTd>{link.displayName}</TableTd>
      <TableTd>{link.email ?? '—'}</TableTd>
      <TableTd>{when(link.linkedAt)}</TableTd>
      <TableTd>{link.lastSignInAt ? when(link.lastSignInAt) : 'Never'}</TableTd>
      <TableTd>
        <ActionForm
          action={unlinkSignIn}
          submitLabel={`Unlink ${link.displayName}`}
          hidden={{ id: link.providerId }}
          variant="default"
          compact
          confirm={{
            title: `Unlink ${link.displayName}?`,
            message: `Your ${link.displayName} account will no longer sign you in here. You can link it again later.`,
            confirmLabel: `Unlink ${link.displayName}`,
          }}
        />
      </TableTd>
    </TableTr>
  );
}

// The user's links to other identity providers. Unlinking is refused while a link is the only way into the
// account; linking leaves for oauth-service's link flow, which comes back here (this page's configured URL).
export default async function LinkedSignInsPage() {
  const session = await requireSession();
  const { linked, linkable } = await accountApi(session).linkedIdentities();
  const returnTo = `${accountConfig().portalUrl}/linked-sign-ins`;
  const { label, description } = section('/linked-sign-ins');
  return (
    <Stack>
      <PageHeader title={label} description={description} />
      {linked.length === 0 ? (
        <Text c="dimmed">No other account is linked: you sign in here only.</Text>
      ) : (
        <TableScrollContainer minWidth={720}>
          <Table striped aria-label="Your linked sign-ins">
            <TableThead>
              <TableTr>
                <TableTh>Provider</TableTh>
                <TableTh>Email there</TableTh>
                <TableTh>Linked</TableTh>
                <TableTh>Last sign-in</TableTh>
                <TableTh>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {linked.map((link) => (
                <LinkedRow key={link.providerId} link={link} />
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
      {linkable.length > 0 ? (
        <Card withBorder maw={560}>
          <Title order={2} size="h4" mb="sm">
            Link another account
          </Title>
          <Text size="sm" mb="sm">
            You sign in there, then come back here with the account linked.
          </Text>
          <Group>
            {linkable.map((provider) => (
              <Button
                key={provider.providerId}
                component="a"
                href={`${provider.linkUrl}?${new URLSearchParams({ return_to: returnTo })}`}
                variant="default"
              >
                Link {provider.displayName}
              </Button>
            ))}
          </Group>
        </Card>
      ) : null}
    </Stack>
  );
}
