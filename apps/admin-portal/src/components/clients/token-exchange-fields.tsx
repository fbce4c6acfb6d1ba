'use client';

import { Stack, Text } from '@mantine/core';
import type { ExchangeAudience } from '../../lib/admin-api/exchange-audiences.ts';
import type { Client } from '../../lib/admin-api/types.ts';
import { CheckboxField, CheckboxGroupField } from '../form.tsx';

/**
 * The client's token exchange policy (RFC 8693): which resource servers, which scopes, delegation and/or
 * impersonation. It counts only while the token exchange grant type is ticked; otherwise it is removed.
 */
export function TokenExchangeFields(props: { client?: Client; audiences: ExchangeAudience[] }) {
  const policy = props.client?.token_exchange ?? null;
  const scopes = [...new Set(props.audiences.flatMap((audience) => audience.scopes))];
  const options = [
    ...scopes.map((value) => ({ value, label: value })),
    // Lets the client exchange a user's token for a refresh token (flow-service's runs that wait).
    { value: 'offline_access', label: 'offline_access (a refresh token by exchange)' },
  ];
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" size="sm" fw={600}>
        Token exchange policy
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        Used with the Token exchange grant type: the client trades a user&apos;s token for one for these
        services, with these scopes, never more than the user&apos;s own. Without the grant type, the policy
        is removed.
      </Text>
      <Stack gap="sm">
        <CheckboxGroupField
          name="exchange_audiences"
          label="Audiences"
          options={props.audiences.map((audience) => ({
            value: audience.identifier,
            label: `${audience.name} (${audience.identifier})`,
          }))}
          defaultValue={policy?.audiences ?? []}
        />
        <CheckboxGroupField
          name="exchange_scopes"
          label="Exchangeable scopes"
          options={options}
          defaultValue={policy?.scopes ?? []}
        />
        <CheckboxField
          name="exchange_delegation"
          label="Delegation: the new token names this client as the actor (act)"
          defaultChecked={policy?.delegation ?? true}
        />
        <CheckboxField
          name="exchange_impersonation"
          label="Impersonation: a token without act, when the request asks for it"
          defaultChecked={policy?.impersonation ?? false}
        />
      </Stack>
    </fieldset>
  );
}
