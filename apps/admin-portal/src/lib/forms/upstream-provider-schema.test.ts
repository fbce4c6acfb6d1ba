import { describe, expect, it } from 'vitest';
import { fieldErrors } from './schemas.ts';
import { upstreamProviderSchema } from './upstream-provider-schema.ts';

// The sign-in provider form: numbered group rows gathered into the API's map, the other kind's fields null,
// the secret sent only when typed or removed, and the kind's required fields named.

const form = {
  id: 'entra',
  display_name: 'Microsoft',
  kind: 'oidc',
  issuer: 'https://login.microsoftonline.com/t/v2.0',
  authorization_endpoint: 'https://left.over/authorize',
  client_id: 'c',
  client_secret: '',
  scopes: 'openid  email openid',
  claim_subject: 'oid',
  claim_email: 'email',
  claim_email_verified: '',
  claim_name: 'name',
  claim_groups: 'groups',
  'group_roles.0.group': 'g-1',
  'group_roles.0.role': 'admin',
  'group_roles.2.group': '',
  'group_roles.2.role': '',
  jit_enabled: 'on',
  default_roles: ['user'],
  allowed_email_domains: 'Example.COM\nexample.org',
  mfa_amr: 'mfa',
  mfa_acr: '',
  enabled: 'on',
};

describe('sign-in provider form', () => {
  it('makes the admin API body', () => {
    const parsed = upstreamProviderSchema.parse(form);
    expect(parsed).toEqual({
      id: 'entra',
      display_name: 'Microsoft',
      kind: 'oidc',
      issuer: 'https://login.microsoftonline.com/t/v2.0',
      authorization_endpoint: null,
      token_endpoint: null,
      userinfo_endpoint: null,
      client_id: 'c',
      scopes: ['openid', 'email'],
      claim_mapping: { subject: 'oid', email: 'email', email_verified: null, name: 'name', groups: 'groups' },
      group_roles: { 'g-1': 'admin' },
      jit_enabled: true,
      default_roles: ['user'],
      allowed_email_domains: ['example.com', 'example.org'],
      link_by_verified_email: false,
      mfa_satisfied_by: { amr: ['mfa'], acr: [] },
      enabled: true,
    });
  });

  it('sends the secret when typed, null when removed', () => {
    expect(upstreamProviderSchema.parse({ ...form, client_secret: ' s3cret ' })).toMatchObject({
      client_secret: 's3cret',
    });
    expect(upstreamProviderSchema.parse({ ...form, remove_secret: 'on' })).toMatchObject({
      client_secret: null,
    });
  });

  it('names the fields a kind requires, a group without a role and a repeated group', () => {
    const oauth2 = upstreamProviderSchema.safeParse({ ...form, kind: 'oauth2', authorization_endpoint: '' });
    expect(Object.keys(fieldErrors(oauth2.error!)).sort()).toEqual([
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
    ]);
    const oidc = upstreamProviderSchema.safeParse({ ...form, issuer: '', scopes: 'email' });
    expect(Object.keys(fieldErrors(oidc.error!)).sort()).toEqual(['issuer', 'scopes']);
    const rows = upstreamProviderSchema.safeParse({
      ...form,
      'group_roles.1.group': 'g-1',
      'group_roles.1.role': 'user',
      'group_roles.2.group': 'g-2',
    });
    expect(fieldErrors(rows.error!).group_roles).toBeDefined();
  });
});
