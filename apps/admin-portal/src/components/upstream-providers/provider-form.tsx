'use client';

import { Code, Divider, Fieldset, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { createUpstreamProvider, updateUpstreamProvider } from '../../app/actions/upstream-providers.ts';
import type { UpstreamProvider } from '../../lib/admin-api/types.ts';
import {
  ActionForm,
  CheckboxField,
  CheckboxGroupField,
  GroupError,
  Hidden,
  LinesField,
  SelectField,
  SwitchField,
  TextField,
  useFieldError,
} from '../form.tsx';
import { GroupRoleRows } from './group-role-rows.tsx';

// The sign-in provider form, for a new provider and for an existing one. Its fields follow the kind:
// OpenID Connect asks for the issuer, OAuth 2.0 for its three endpoints. The redirect URI to register at
// the upstream is shown as the id is typed.

type Kind = 'oidc' | 'oauth2';

/** An OAuth 2.0 provider's endpoints: field name, label, and GitHub's address as the example. */
const ENDPOINTS = [
  ['authorization_endpoint', 'Authorization endpoint', 'https://github.com/login/oauth/authorize'],
  ['token_endpoint', 'Token endpoint', 'https://github.com/login/oauth/access_token'],
  ['userinfo_endpoint', 'User info endpoint', 'https://api.github.com/user'],
] as const;

const CLAIM_DEFAULTS: Record<Kind, Record<string, string>> = {
  oidc: { subject: 'sub', email: 'email', email_verified: 'email_verified', name: 'name', groups: 'groups' },
  oauth2: { subject: 'id', email: 'email', email_verified: '', name: 'name', groups: '' },
};

const CLAIMS = [
  ['subject', 'Subject (stable user id)'],
  ['email', 'Email'],
  ['email_verified', 'Email verified'],
  ['name', 'Name'],
  ['groups', 'Groups'],
] as const;

/** The id (fixed once created) and the redirect URI it gives. */
function IdField(props: { existing?: string; callbackBase: string }) {
  const [id, setId] = useState(props.existing ?? '');
  const error = useFieldError('id');
  return (
    <>
      {props.existing ? (
        <Hidden name="id" value={props.existing} />
      ) : (
        <TextInput
          id="field-id"
          name="id"
          label="Id"
          description="Lowercase letters, digits and hyphens; it appears in the sign-in addresses."
          withAsterisk
          value={id}
          onChange={(event) => setId(event.currentTarget.value.trim())}
          error={error}
        />
      )}
      <div>
        <Text size="sm" fw={500}>
          Redirect URI to register at the provider
        </Text>
        <Code block data-testid="upstream-redirect-uri">
          {`${props.callbackBase}/${id || '<id>'}/callback`}
        </Code>
      </div>
    </>
  );
}

/** Write-only: never filled in, since the API never returns it. */
function SecretField(props: { hasSecret: boolean }) {
  return (
    <PasswordInput
      id="field-client_secret"
      name="client_secret"
      label="Client secret"
      description={
        props.hasSecret
          ? 'A secret is stored and never shown. Type a new one to replace it.'
          : 'Empty for a public client (PKCE only).'
      }
      autoComplete="new-password"
      error={useFieldError('client_secret')}
    />
  );
}

function Endpoints(props: { kind: Kind; provider?: UpstreamProvider | undefined }) {
  const p = props.provider;
  if (props.kind === 'oidc')
    return (
      <TextField
        name="issuer"
        label="Issuer"
        type="url"
        required
        defaultValue={p?.issuer ?? ''}
        placeholder="https://login.microsoftonline.com/<tenant>/v2.0"
        description="Its /.well-known/openid-configuration names the endpoints and keys."
      />
    );
  return (
    <>
      {ENDPOINTS.map(([name, label, placeholder]) => (
        <TextField
          key={name}
          name={name}
          label={label}
          type="url"
          required
          defaultValue={p?.[name] ?? ''}
          placeholder={placeholder}
        />
      ))}
    </>
  );
}

function ClaimFields(props: { kind: Kind; provider?: UpstreamProvider | undefined }) {
  const error = useFieldError('claim_mapping');
  const mapping = props.provider?.kind === props.kind ? props.provider.claim_mapping : undefined;
  return (
    <Fieldset legend="Claim mapping" variant="unstyled">
      <Text size="xs" c="dimmed" mb={4}>
        Claim names or dotted paths in the ID token or user info; empty maps nothing.
      </Text>
      {/* A new kind brings its own defaults. */}
      <Stack gap="xs" key={props.kind}>
        {CLAIMS.map(([claim, label]) => (
          <TextField
            key={claim}
            name={`claim_${claim}`}
            label={label}
            required={claim === 'subject'}
            defaultValue={mapping ? (mapping[claim] ?? '') : CLAIM_DEFAULTS[props.kind][claim]}
          />
        ))}
      </Stack>
      <GroupError error={error} />
    </Fieldset>
  );
}

function AccountFields(props: { provider?: UpstreamProvider | undefined; roles: string[] }) {
  const p = props.provider;
  const mfaError = useFieldError('mfa_satisfied_by');
  return (
    <>
      <SwitchField
        name="jit_enabled"
        label="Create an account at the first sign-in"
        defaultChecked={p?.jit_enabled ?? false}
      />
      <CheckboxGroupField
        name="default_roles"
        label="Roles of a created account"
        options={props.roles.map((role) => ({ value: role, label: role }))}
        defaultValue={p?.default_roles ?? []}
      />
      <LinesField
        name="allowed_email_domains"
        label="Allowed email domains"
        description="One per line; empty allows any domain."
        values={p?.allowed_email_domains}
      />
      <SwitchField
        name="link_by_verified_email"
        label="Link to an existing account with the same verified email"
        description="Only when the provider says the address is verified. Otherwise users link from their account."
        defaultChecked={p?.link_by_verified_email ?? false}
      />
      <GroupRoleRows initial={p?.group_roles ?? {}} roles={props.roles} />
      <TextField
        name="mfa_amr"
        label="amr values that satisfy MFA"
        description="Space-separated, e.g. mfa hwk. Empty: the MFA policy applies after the sign-in."
        defaultValue={(p?.mfa_satisfied_by.amr ?? []).join(' ')}
      />
      <TextField
        name="mfa_acr"
        label="acr values that satisfy MFA"
        defaultValue={(p?.mfa_satisfied_by.acr ?? []).join(' ')}
      />
      <GroupError error={mfaError} mt={0} />
    </>
  );
}

export function ProviderForm(props: {
  provider?: UpstreamProvider;
  roles: string[];
  /** PUBLIC_URL/login/upstream: the redirect URI is this, the id, then /callback. */
  callbackBase: string;
}) {
  const p = props.provider;
  const [kind, setKind] = useState<Kind>(p?.kind ?? 'oidc');
  return (
    <ActionForm
      action={p ? updateUpstreamProvider : createUpstreamProvider}
      schema="upstreamProvider"
      submitLabel={p ? 'Save' : 'Create sign-in provider'}
    >
      <IdField existing={p?.id} callbackBase={props.callbackBase} />
      <TextField
        name="display_name"
        label="Display name"
        description='The sign-in button reads "Sign in with <display name>".'
        required
        defaultValue={p?.display_name ?? ''}
      />
      <SelectField
        name="kind"
        label="Kind"
        options={[
          { value: 'oidc', label: 'OpenID Connect (issuer discovery)' },
          { value: 'oauth2', label: 'OAuth 2.0 with a user info endpoint' },
        ]}
        value={kind}
        onChange={(value) => setKind(value as Kind)}
      />
      <Endpoints kind={kind} provider={p} />
      <Divider label="Client at the provider" labelPosition="left" />
      <TextField name="client_id" label="Client id" required defaultValue={p?.client_id ?? ''} />
      <SecretField hasSecret={p?.has_secret ?? false} />
      {p?.has_secret ? <CheckboxField name="remove_secret" label="Remove the stored secret" /> : null}
      <TextField
        name="scopes"
        label="Scopes"
        description="Space-separated."
        defaultValue={(p?.scopes ?? ['openid', 'email', 'profile']).join(' ')}
      />
      <ClaimFields kind={kind} provider={p} />
      <Divider label="Accounts" labelPosition="left" />
      <AccountFields provider={p} roles={props.roles} />
      <SwitchField
        name="enabled"
        label="Enabled (shown on the sign-in page)"
        defaultChecked={p?.enabled ?? true}
      />
    </ActionForm>
  );
}
