import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { ActionForm } from '../../components/action-form.tsx';
import { RegenerateRecoveryCodes, TotpEnrolment } from '../../components/two-step.tsx';
import { accountApi } from '../../lib/api/client.ts';
import type { Factors } from '../../lib/api/types.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';
import { removeTotp } from '../actions/two-step.ts';

export const metadata: Metadata = { title: 'Two-step verification' };

function AuthenticatorApp({ factors }: { factors: Factors }) {
  const totp = factors.totp?.confirmed ? factors.totp : null;
  const isLast = factors.mfaRequired && factors.passkeys === 0;
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Authenticator app
          </Title>
          <Badge color={totp ? 'green' : 'gray'} variant="light">
            {totp ? 'On' : 'Off'}
          </Badge>
        </Group>
        {totp ? (
          <>
            <Text size="sm">
              Set up {when(totp.confirmedAt)}; last used {when(totp.lastUsedAt)}.
            </Text>
            {isLast ? (
              <Text size="sm" c="dimmed">
                Your account requires a second step: add a passkey before removing the app.
              </Text>
            ) : (
              <ActionForm
                action={removeTotp}
                submitLabel="Remove the app"
                color="red"
                variant="light"
                confirm={{
                  title: 'Remove the authenticator app?',
                  message: `Its codes stop working${factors.passkeys === 0 ? ', and so do your recovery codes' : ''}.`,
                  confirmLabel: 'Remove',
                }}
              />
            )}
          </>
        ) : (
          <>
            <Text size="sm">
              After your password, sign-ins that need a second step ask for a 6-digit code from an app such as
              an authenticator or a password manager.
            </Text>
            <TotpEnrolment />
          </>
        )}
      </Stack>
    </Card>
  );
}

function RecoveryCodes({ factors }: { factors: Factors }) {
  const hasFactor = Boolean(factors.totp?.confirmed) || factors.passkeys > 0;
  const { left, createdAt } = factors.recoveryCodes;
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          Recovery codes
        </Title>
        {hasFactor ? (
          <>
            <Text size="sm" data-testid="recovery-codes-left">
              {left} of 10 codes left{createdAt ? `, made ${when(createdAt)}` : ''}. Each signs you in once
              when your device is lost.
            </Text>
            <RegenerateRecoveryCodes />
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Recovery codes come with a second factor: set up an authenticator app first.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

// The user's TOTP and recovery codes. What is shown once (the key, the QR code, the codes) comes back only
// in the answer of the action that made it, to the client component that asked.
export default async function TwoStepPage() {
  const session = await requireSession();
  const factors = await accountApi(session).factors();
  const { label, description } = section('/two-step');
  return (
    <Stack maw={720}>
      <PageHeader title={label} description={description} />
      <AuthenticatorApp factors={factors} />
      <RecoveryCodes factors={factors} />
    </Stack>
  );
}
