import {
  Badge,
  Group,
  Paper,
  Stack,
  Table,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import { resetFactors, setEnrolmentRequired } from '../../app/actions/users.ts';
import type { User, UserFactors } from '../../lib/admin-api/types.ts';
import { ActionForm, Hidden } from '../form.tsx';

// The user's second factors as an administrator sees them (what is set up and when it was used, never a
// secret), the reset of a lost factor and the requirement to enrol one at the next sign-in.

function totpSummary(totp: UserFactors['totp']): string {
  if (!totp) return 'Not set up.';
  if (!totp.confirmed) return `Enrolment started ${when(totp.created_at)}, not confirmed.`;
  return `On since ${when(totp.confirmed_at)}; last used ${when(totp.last_used_at)}.`;
}

function PasskeysTable({ passkeys }: { passkeys: UserFactors['passkeys'] }) {
  if (passkeys.length === 0) return <Text size="sm">No passkey.</Text>;
  return (
    <Table>
      <TableThead>
        <TableTr>
          <TableTh>Passkey</TableTh>
          <TableTh>Kind</TableTh>
          <TableTh>Created</TableTh>
          <TableTh>Last used</TableTh>
        </TableTr>
      </TableThead>
      <TableTbody data-testid="user-passkeys">
        {passkeys.map((passkey) => (
          <TableTr key={passkey.id}>
            <TableTd>{passkey.name}</TableTd>
            <TableTd>{passkey.device_type === 'multiDevice' ? 'synced' : 'device-bound'}</TableTd>
            <TableTd>{when(passkey.created_at)}</TableTd>
            <TableTd>{when(passkey.last_used_at)}</TableTd>
          </TableTr>
        ))}
      </TableTbody>
    </Table>
  );
}

function FactorActions({ user, factors }: { user: User; factors: UserFactors }) {
  const requiring = !factors.enrolment_required;
  return (
    <Group mt="md">
      <ActionForm
        action={resetFactors}
        submitLabel="Reset factors"
        color="red"
        variant="light"
        confirm={{
          title: `Reset ${user.username}'s factors?`,
          message: `${user.username}'s authenticator app, recovery codes and passkeys are removed. Until they enrol again, their password alone signs them in unless a role or an application requires MFA.`,
          confirmLabel: 'Reset factors',
        }}
      >
        <Hidden name="id" value={user.id} />
      </ActionForm>
      <ActionForm
        action={setEnrolmentRequired}
        submitLabel={requiring ? 'Require enrolment at next sign-in' : 'Withdraw enrolment requirement'}
        variant="light"
        {...(requiring
          ? {
              confirm: {
                title: `Require ${user.username} to enrol?`,
                message: `At ${user.username}'s next sign-in a second factor is asked; without one they enrol an authenticator app before the sign-in finishes.`,
                confirmLabel: 'Require enrolment',
              },
              color: 'blue',
            }
          : {})}
      >
        <Hidden name="id" value={user.id} />
        <Hidden name="verb" value={requiring ? 'require' : 'withdraw'} />
      </ActionForm>
    </Group>
  );
}

/** TOTP, recovery codes left and passkeys; reset and enrolment requirement for admin:write. */
export function UserFactorsCard(props: { user: User; factors: UserFactors; write: boolean }) {
  const { user, factors, write } = props;
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          Sign-in factors
        </Title>
        <Group gap="xs">
          {factors.required_by_role ? <Badge variant="light">MFA required by role</Badge> : null}
          {factors.enrolment_required ? (
            <Badge variant="light" color="orange" data-testid="enrolment-required">
              Enrolment required
            </Badge>
          ) : null}
        </Group>
      </Group>
      <Stack gap="xs" data-testid="user-factors">
        <Text size="sm">
          <Text span fw={600}>
            Authenticator app:
          </Text>{' '}
          {totpSummary(factors.totp)}
        </Text>
        <Text size="sm">
          <Text span fw={600}>
            Recovery codes:
          </Text>{' '}
          {factors.recovery_codes.left} left
        </Text>
        <PasskeysTable passkeys={factors.passkeys} />
      </Stack>
      {write ? <FactorActions user={user} factors={factors} /> : null}
    </Paper>
  );
}
