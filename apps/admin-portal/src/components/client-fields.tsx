'use client';

import { useState } from 'react';
import type { ExchangeAudience } from '../lib/admin-api/exchange-audiences.ts';
import type { Client } from '../lib/admin-api/types.ts';
import { CONFIDENTIAL_AUTH_METHODS, SUPPORTED_GRANT_TYPES } from '../lib/forms/schemas.ts';
import { TokenExchangeFields } from './clients/token-exchange-fields.tsx';
import {
  CheckboxField,
  CheckboxGroupField,
  Hidden,
  LinesField,
  SelectField,
  SwitchField,
  TextField,
} from './form.tsx';

const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Authorization code (+PKCE)',
  refresh_token: 'Refresh token',
  client_credentials: 'Client credentials',
  'urn:ietf:params:oauth:grant-type:device_code': 'Device code',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'Token exchange (RFC 8693)',
};

type ClientType = Client['type'];

/** The type: chosen at creation; afterwards shown, not offered (it decides whether a secret exists). */
function TypeField(props: { fixed?: ClientType; value: ClientType; onChange: (type: ClientType) => void }) {
  if (props.fixed)
    return (
      <TextField
        name="type"
        label="Type"
        description="Fixed once created."
        defaultValue={props.fixed}
        readOnly
      />
    );
  return (
    <SelectField
      name="type"
      label="Type"
      description="Confidential clients get a secret (or use private_key_jwt)."
      value={props.value}
      onChange={(value) => props.onChange(value === 'public' ? 'public' : 'confidential')}
      options={[
        { value: 'confidential', label: 'Confidential (server-side app, machine client)' },
        { value: 'public', label: 'Public (browser or native app, no secret)' },
      ]}
    />
  );
}

/** How the client authenticates at the token endpoint: `none` for a public client, and nothing else. */
function AuthMethodField(props: { type: ClientType; defaultValue: string | undefined }) {
  const label = 'Token endpoint authentication';
  if (props.type === 'public')
    return (
      <>
        <SelectField
          name="token_endpoint_auth_method_shown"
          label={label}
          description="A public client has no secret: it authenticates with none."
          value="none"
          options={[{ value: 'none', label: 'none' }]}
          disabled
        />
        <Hidden name="token_endpoint_auth_method" value="none" />
      </>
    );
  return (
    <SelectField
      name="token_endpoint_auth_method"
      label={label}
      defaultValue={props.defaultValue === 'none' ? undefined : props.defaultValue}
      options={CONFIDENTIAL_AUTH_METHODS.map((value) => ({ value, label: value }))}
    />
  );
}

/** The fields of a client, for creation (type chosen) and editing (type fixed). */
export function ClientFields(props: { client?: Client; scopes: string[]; audiences: ExchangeAudience[] }) {
  const c = props.client;
  const [type, setType] = useState<ClientType>(c?.type ?? 'confidential');
  return (
    <>
      <TextField name="name" label="Name" defaultValue={c?.name ?? ''} required />
      <TypeField fixed={c?.type} value={type} onChange={setType} />
      <CheckboxGroupField
        name="grant_types"
        label="Grant types"
        description="OAuth 2.1 only: implicit and password are not offered. PKCE is always required."
        options={SUPPORTED_GRANT_TYPES.map((value) => ({ value, label: GRANT_LABELS[value] ?? value }))}
        defaultValue={c?.grant_types ?? ['authorization_code', 'refresh_token']}
      />
      <AuthMethodField type={type} defaultValue={c?.token_endpoint_auth_method} />
      <LinesField
        name="redirect_uris"
        label="Redirect URIs"
        description="One per line, exact match: https, http only on loopback, or a private-use scheme."
        values={c?.redirect_uris}
      />
      <LinesField
        name="post_logout_redirect_uris"
        label="Post-logout redirect URIs"
        description="One per line."
        values={c?.post_logout_redirect_uris}
      />
      <TextField
        name="backchannel_logout_uri"
        label="Back-channel logout URI"
        description="Optional. Receives a logout token (with the session id) when a sign-in session this application took part in ends: https, http only on loopback."
        defaultValue={c?.backchannel_logout_uri ?? ''}
      />
      <CheckboxGroupField
        name="scope"
        label="Allowed scopes"
        options={props.scopes.map((value) => ({ value, label: value }))}
        defaultValue={c?.scope ?? ['openid']}
      />
      <SelectField
        name="application_type"
        label="Application type"
        description="native: loopback redirect URIs match on any port (RFC 8252)."
        defaultValue={c?.application_type ?? 'web'}
        options={[
          { value: 'web', label: 'web' },
          { value: 'native', label: 'native' },
        ]}
      />
      <CheckboxField
        name="require_dpop"
        label="Require DPoP-bound access tokens (RFC 9449)"
        defaultChecked={c?.require_dpop ?? false}
      />
      <CheckboxField
        name="first_party"
        label="First-party (skip the consent page)"
        description="The platform's own application: users are not asked for consent and sign out in one click. Confidential clients only."
        defaultChecked={c?.first_party ?? false}
      />
      <SwitchField
        name="require_mfa"
        label="Require MFA"
        description="Every sign-in to this application needs a second factor (TOTP or a passkey), whatever the user's roles."
        defaultChecked={c?.require_mfa ?? false}
      />
      <TokenExchangeFields client={c} audiences={props.audiences} />
    </>
  );
}
