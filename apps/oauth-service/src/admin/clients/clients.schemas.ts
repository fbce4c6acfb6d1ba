import { CLIENT_SORTS } from '../../clients/clients.repository.ts';
import { listOf, noContent, nullableTime, params, routeSchema, time } from '../schemas.ts';

const TAG = 'clients';

const uris = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 2048 } } as const;
const jwks = {
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', maxItems: 20, items: { type: 'object' } } },
  description: 'Public keys of a private_key_jwt client.',
} as const;

const firstParty = {
  type: 'boolean',
  description:
    "The platform's own client: its users are not asked for consent and sign out in one click. Confidential clients only.",
} as const;

const backchannelLogoutUri = {
  anyOf: [{ type: 'string', maxLength: 2048 }, { type: 'null' }],
  description:
    'OIDC Back-Channel Logout: where a logout token (with the session id) is posted when a sign-in session this client took part in ends. https, or http on loopback; null: none.',
} as const;

const requireMfa = {
  type: 'boolean',
  description:
    'Every sign-in to this client needs a second factor (TOTP or a passkey), whatever the roles say.',
} as const;

const tokenExchangePolicy = {
  type: 'object',
  additionalProperties: false,
  required: ['audiences', 'scopes', 'delegation', 'impersonation'],
  properties: {
    audiences: {
      type: 'array',
      maxItems: 50,
      items: { type: 'string', maxLength: 512 },
      description: 'Resource server identifiers (RFC 8707) the client may exchange tokens for.',
    },
    scopes: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 128 },
      description:
        "Scopes the client may ask for, each a scope of one of the audiences; the user's own bound them again.",
    },
    delegation: {
      type: 'boolean',
      description: 'The new token names the client in `act`; `sub` stays the user.',
    },
    impersonation: {
      type: 'boolean',
      description: 'The client may ask (exchange_mode=impersonation) for a token without `act`.',
    },
  },
} as const;

const tokenExchange = {
  anyOf: [tokenExchangePolicy, { type: 'null' }],
  description:
    'RFC 8693 token exchange policy; null: the client may exchange nothing. Takes effect while the client has the grant type urn:ietf:params:oauth:grant-type:token-exchange.',
} as const;

export const clientSchema = {
  type: 'object',
  required: [
    'client_id',
    'name',
    'type',
    'grant_types',
    'token_endpoint_auth_method',
    'enabled',
    'first_party',
    'require_mfa',
    'token_exchange',
  ],
  properties: {
    client_id: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string', enum: ['confidential', 'public'] },
    redirect_uris: { type: 'array', items: { type: 'string' } },
    post_logout_redirect_uris: { type: 'array', items: { type: 'string' } },
    grant_types: { type: 'array', items: { type: 'string' } },
    token_endpoint_auth_method: { type: 'string' },
    scope: { type: 'array', items: { type: 'string' } },
    require_pkce: { type: 'boolean', const: true, description: 'Always true: OAuth 2.1 requires PKCE.' },
    require_dpop: { type: 'boolean' },
    application_type: { type: 'string', enum: ['web', 'native'] },
    jwks: { anyOf: [jwks, { type: 'null' }] },
    enabled: { type: 'boolean' },
    dynamic: { type: 'boolean', description: 'Registered through dynamic client registration (RFC 7591).' },
    first_party: firstParty,
    require_mfa: requireMfa,
    token_exchange: tokenExchange,
    backchannel_logout_uri: backchannelLogoutUri,
    has_secret: { type: 'boolean' },
    secret_rotated_at: nullableTime,
    created_at: time,
    updated_at: time,
  },
} as const;

const withSecret = {
  ...clientSchema,
  properties: {
    ...clientSchema.properties,
    client_secret: {
      type: 'string',
      description: 'Shown in this response only: store it now, it cannot be retrieved again.',
    },
  },
} as const;

const editable = {
  name: { type: 'string', maxLength: 200 },
  redirect_uris: uris,
  post_logout_redirect_uris: uris,
  grant_types: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 128 } },
  token_endpoint_auth_method: { type: 'string', maxLength: 64 },
  scope: {
    type: 'array',
    maxItems: 100,
    items: { type: 'string', maxLength: 128 },
    description: 'Scopes the client may be granted (OpenID and resource scopes).',
  },
  require_dpop: { type: 'boolean', description: 'Access tokens must be DPoP-bound (RFC 9449).' },
  require_pkce: {
    type: 'boolean',
    const: true,
    description: 'PKCE is always required; only true is accepted.',
  },
  jwks,
  application_type: { type: 'string', enum: ['web', 'native'] },
  first_party: firstParty,
  require_mfa: requireMfa,
  token_exchange: tokenExchange,
  backchannel_logout_uri: backchannelLogoutUri,
} as const;

export const listClientsSchema = routeSchema(
  'admin:read',
  TAG,
  'List every client, sorted (ties by client id), without secrets',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sort: {
          type: 'string',
          enum: CLIENT_SORTS,
          default: 'name',
          description: 'The column to order by; names compare case-insensitively.',
        },
        order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
      },
    },
    response: { 200: listOf(clientSchema) },
  },
);

export const createClientSchema = routeSchema(
  'admin:write',
  TAG,
  'Create a client; a generated secret is in this response only',
  {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'grant_types'],
      properties: { ...editable, type: { type: 'string', enum: ['confidential', 'public'] } },
    },
    response: { 201: withSecret },
  },
  [400, 409],
);

export const getClientSchema = routeSchema(
  'admin:read',
  TAG,
  'Get a client (without its secret)',
  { params: params('clientId'), response: { 200: clientSchema } },
  [404],
);

export const updateClientSchema = routeSchema(
  'admin:write',
  TAG,
  'Update a client; the result is validated like a new one; grants holding a scope the client loses are revoked',
  {
    params: params('clientId'),
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: editable },
    response: { 200: clientSchema },
  },
  [400, 404, 409],
);

export const enableClientSchema = routeSchema(
  'admin:write',
  TAG,
  'Enable a client',
  { params: params('clientId'), response: { 200: clientSchema } },
  [404],
);

export const disableClientSchema = routeSchema(
  'admin:write',
  TAG,
  'Disable a client: the provider no longer knows it, its tokens stop being accepted',
  { params: params('clientId'), response: { 200: clientSchema } },
  [404],
);

export const rotateSecretSchema = routeSchema(
  'admin:write',
  TAG,
  'Rotate the client secret: the old one stops working at once; the new one is in this response only',
  { params: params('clientId'), response: { 200: withSecret } },
  [404, 409],
);

export const deleteClientSchema = routeSchema(
  'admin:write',
  TAG,
  'Delete a client, with the consents users gave it',
  { params: params('clientId'), response: noContent },
  [404],
);
