import { PROVIDER_ID_PATTERN } from '../../federation/provider-rules.ts';
import { listOf, noContent, nullableString, params, routeSchema, time } from '../schemas.ts';

const TAG = 'upstream-providers';
export const UPSTREAM_PROVIDERS = 'upstream-providers';

const claimPath = { type: ['string', 'null'], maxLength: 200 } as const;
const claimMappingOutput = {
  type: 'object',
  required: ['subject', 'email', 'email_verified', 'name', 'groups'],
  properties: {
    subject: { type: 'string' },
    email: nullableString,
    email_verified: nullableString,
    name: nullableString,
    groups: nullableString,
  },
} as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const mfaSatisfiedByOutput = {
  type: 'object',
  required: ['amr', 'acr'],
  properties: { amr: stringList, acr: stringList },
} as const;

export const upstreamProviderSchema = {
  type: 'object',
  required: [
    'id',
    'display_name',
    'kind',
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'userinfo_endpoint',
    'client_id',
    'has_secret',
    'scopes',
    'claim_mapping',
    'group_roles',
    'jit_enabled',
    'default_roles',
    'allowed_email_domains',
    'link_by_verified_email',
    'mfa_satisfied_by',
    'enabled',
    'redirect_uri',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'string', description: 'Slug; appears in the sign-in URLs.' },
    display_name: { type: 'string', description: 'The sign-in button reads "Sign in with <display_name>".' },
    kind: {
      type: 'string',
      enum: ['oidc', 'oauth2'],
      description:
        '`oidc`: endpoints by issuer discovery; `oauth2`: explicit endpoints and a user-info request.',
    },
    issuer: nullableString,
    authorization_endpoint: nullableString,
    token_endpoint: nullableString,
    userinfo_endpoint: nullableString,
    client_id: { type: 'string' },
    has_secret: {
      type: 'boolean',
      description: 'Whether a client secret is stored; the secret is write-only.',
    },
    scopes: stringList,
    claim_mapping: claimMappingOutput,
    group_roles: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Upstream group → local role name.',
    },
    jit_enabled: { type: 'boolean', description: 'Create a local account at the first sign-in.' },
    default_roles: { ...stringList, description: 'Local roles given to an account created at sign-in.' },
    allowed_email_domains: { ...stringList, description: 'Empty: any domain.' },
    link_by_verified_email: {
      type: 'boolean',
      description: 'Link to an existing account with the same address when the upstream says it is verified.',
    },
    mfa_satisfied_by: mfaSatisfiedByOutput,
    enabled: { type: 'boolean' },
    redirect_uri: { type: 'string', description: 'The redirect URI to register at the upstream.' },
    created_at: time,
    updated_at: time,
  },
} as const;

// Bounds and types only; federation/provider-rules.ts applies the rules and names every broken field.
const url = { type: ['string', 'null'], maxLength: 500 } as const;
const boundedList = (maxItems: number, maxLength: number) =>
  ({ type: 'array', maxItems, items: { type: 'string', maxLength } }) as const;
const providerFields = {
  display_name: { type: 'string', minLength: 1, maxLength: 100 },
  kind: { type: 'string', enum: ['oidc', 'oauth2'] },
  issuer: url,
  authorization_endpoint: url,
  token_endpoint: url,
  userinfo_endpoint: url,
  client_id: { type: 'string', minLength: 1, maxLength: 255 },
  client_secret: {
    type: ['string', 'null'],
    minLength: 1,
    maxLength: 1000,
    description: 'Write-only. Null removes it (a public client using PKCE alone).',
  },
  scopes: { ...boundedList(50, 100), description: 'Defaults to openid email profile for kind oidc.' },
  claim_mapping: {
    type: 'object',
    additionalProperties: false,
    description: 'Claim names or dotted paths; a missing key takes the kind’s default, null maps nothing.',
    properties: {
      subject: { type: 'string', maxLength: 200 },
      email: claimPath,
      email_verified: claimPath,
      name: claimPath,
      groups: claimPath,
    },
  },
  group_roles: {
    type: 'object',
    maxProperties: 100,
    propertyNames: { maxLength: 200 },
    additionalProperties: { type: 'string', maxLength: 64 },
  },
  jit_enabled: { type: 'boolean' },
  default_roles: boundedList(50, 64),
  allowed_email_domains: boundedList(100, 253),
  link_by_verified_email: { type: 'boolean' },
  mfa_satisfied_by: {
    type: 'object',
    additionalProperties: false,
    properties: { amr: boundedList(20, 100), acr: boundedList(20, 200) },
  },
  enabled: { type: 'boolean' },
} as const;

export const listProvidersSchema = routeSchema('admin:read', TAG, 'List upstream identity providers', {
  response: { 200: listOf(upstreamProviderSchema) },
});

export const createProviderSchema = routeSchema(
  'admin:write',
  TAG,
  'Create an upstream identity provider',
  {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'display_name', 'kind', 'client_id'],
      properties: { id: { type: 'string', pattern: PROVIDER_ID_PATTERN }, ...providerFields },
    },
    response: { 201: upstreamProviderSchema },
  },
  [409],
);

export const getProviderSchema = routeSchema(
  'admin:read',
  TAG,
  'Get an upstream identity provider',
  { params: params('id'), response: { 200: upstreamProviderSchema } },
  [404],
);

export const updateProviderSchema = routeSchema(
  'admin:write',
  TAG,
  'Update an upstream identity provider; omitted fields keep their values, the secret too',
  {
    params: params('id'),
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: providerFields },
    response: { 200: upstreamProviderSchema },
  },
  [404],
);

export const deleteProviderSchema = routeSchema(
  'admin:write',
  TAG,
  'Delete an upstream identity provider and every account link to it',
  { params: params('id'), response: noContent },
  [404],
);
