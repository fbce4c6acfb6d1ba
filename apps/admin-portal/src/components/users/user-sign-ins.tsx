import { Paper, Table, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { unlinkSignIn } from '../../app/actions/users.ts';
import type { User, UserSignIns } from '../../lib/admin-api/types.ts';
import { Hidden, RowAction } from '../form.tsx';

// The user's sign-ins through upstream identity providers: the upstream subject (to match the provider's
// own records) and when each was last used; admin:write unlinks one, the last way in included.

type Linked = UserSignIns['linked'][number];

function unlinkMessage(user: User, signIns: UserSignIns, link: Linked): string {
  const next = `${link.display_name} no longer signs ${user.username} in; their current sessions go on until they end.`;
  const last = !signIns.has_password && signIns.linked.length === 1;
  return last
    ? `${next} It is their only way in: without a password they cannot sign in until invited again or linked anew.`
    : next;
}

export function UserSignInsCard(props: { user: User; signIns: UserSignIns; write: boolean }) {
  const { user, signIns, write } = props;
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        Linked sign-ins
      </Title>
      {signIns.linked.length === 0 ? (
        <Text size="sm">No sign-in through another provider.</Text>
      ) : (
        <Table>
          <TableThead>
            <TableTr>
              <TableTh>Provider</TableTh>
              <TableTh>Upstream subject</TableTh>
              <TableTh>Last sign-in</TableTh>
              {write ? <TableTh /> : null}
            </TableTr>
          </TableThead>
          <TableTbody data-testid="user-linked-sign-ins">
            {signIns.linked.map((link) => (
              <TableTr key={link.provider_id}>
                <TableTd>
                  {link.display_name}
                  <Text size="xs" c="dimmed">
                    {link.email ? `${link.email} · ` : ''}linked {when(link.linked_at)}
                  </Text>
                </TableTd>
                <TableTd>
                  <Text span size="sm" ff="monospace">
                    {link.subject}
                  </Text>
                </TableTd>
                <TableTd>{when(link.last_sign_in_at)}</TableTd>
                {write ? (
                  <TableTd>
                    <RowAction
                      action={unlinkSignIn}
                      label={`Unlink ${link.display_name}`}
                      confirm={{
                        title: `Unlink ${link.display_name} from ${user.username}?`,
                        message: unlinkMessage(user, signIns, link),
                        confirmLabel: 'Unlink',
                      }}
                    >
                      <Hidden name="id" value={user.id} />
                      <Hidden name="provider" value={link.provider_id} />
                    </RowAction>
                  </TableTd>
                ) : null}
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      )}
    </Paper>
  );
}
