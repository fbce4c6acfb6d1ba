import type { Client } from '../lib/admin-api/types.ts';
import { CONFIDENTIAL_AUTH_METHODS, SUPPORTED_GRANT_TYPES } from '../lib/forms/schemas.ts';
import { CheckboxField, CheckboxGroupField, SelectField, TextareaField, TextField } from './form.tsx';

const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Authorization code (+PKCE)',
  refresh_token: 'Refresh token',
  client_credentials: 'Client credentials',
  'urn:ietf:params:oauth:grant-type:device_code': 'Device code',
};

/** The fields of a client, for creation (type chosen) and editing (type fixed). */
export function ClientFields(props: { client?: Client; scopes: string[] }) {
  const c = props.client;
  return (
    <>
      <TextField name="name" label="Name" defaultValue={c?.name ?? ''} required />
      <SelectField
        name="type"
        label="Type"
        description={
          c ? 'Fixed once created.' : 'Confidential clients get a secret (or use private_key_jwt).'
        }
        defaultValue={c?.type ?? 'confidential'}
        options={
          c
            ? [{ value: c.type, label: c.type }]
            : [
                { value: 'confidential', label: 'Confidential (server-side app, machine client)' },
                { value: 'public', label: 'Public (browser or native app, no secret)' },
              ]
        }
      />
      <CheckboxGroupField
        name="grant_types"
        label="Grant types"
        description="OAuth 2.1 only: implicit and password are not offered. PKCE is always required."
        options={SUPPORTED_GRANT_TYPES.map((value) => ({ value, label: GRANT_LABELS[value] ?? value }))}
        defaultValue={c?.grant_types ?? ['authorization_code', 'refresh_token']}
      />
      <SelectField
        name="token_endpoint_auth_method"
        label="Token endpoint authentication"
        description="Public clients use none."
        defaultValue={c?.token_endpoint_auth_method ?? 'client_secret_basic'}
        options={[...CONFIDENTIAL_AUTH_METHODS, 'none'].map((value) => ({ value, label: value }))}
      />
      <TextareaField
        name="redirect_uris"
        label="Redirect URIs"
        description="One per line, exact match: https, http only on loopback, or a private-use scheme."
        defaultValue={(c?.redirect_uris ?? []).join('\n')}
      />
      <TextareaField
        name="post_logout_redirect_uris"
        label="Post-logout redirect URIs"
        description="One per line."
        defaultValue={(c?.post_logout_redirect_uris ?? []).join('\n')}
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
    </>
  );
}
