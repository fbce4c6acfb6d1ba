import { Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import type { MfaAdoption } from '../../lib/admin-api/types.ts';

// How many active users have a second factor, in total and by factor, as the admin API counts them.

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100));

function AdoptionRow({ label, count, of }: { label: string; count: number; of: number }) {
  const value = percent(count, of);
  return (
    <div>
      <Group justify="space-between" gap="xs">
        <Text size="sm">{label}</Text>
        <Text size="sm" c="dimmed">
          {count} of {of} ({value}%)
        </Text>
      </Group>
      <Progress value={value} aria-label={`${label}: ${value}%`} />
    </div>
  );
}

export function MfaAdoptionPanel({ adoption }: { adoption: MfaAdoption }) {
  const all = adoption.active_users;
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        MFA adoption
      </Title>
      <Stack gap="sm" data-testid="mfa-adoption">
        <AdoptionRow label="Any second factor" count={adoption.with_second_factor} of={all} />
        <AdoptionRow label="Authenticator app (TOTP)" count={adoption.by_factor.totp} of={all} />
        <AdoptionRow label="Passkey" count={adoption.by_factor.passkey} of={all} />
        <AdoptionRow label="Recovery codes left" count={adoption.by_factor.recovery_codes} of={all} />
        <Text size="sm" c="dimmed">
          Active users asked to enrol at their next sign-in: {adoption.enrolment_required}
        </Text>
      </Stack>
    </Paper>
  );
}
