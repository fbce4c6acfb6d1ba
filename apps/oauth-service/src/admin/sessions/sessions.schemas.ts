import { listOf, nullableTime, params, routeSchema, time } from '../schemas.ts';

const TAG = 'users';

const scopeList = { type: 'array', items: { type: 'string' } } as const;
const resourceScopes = {
  type: 'object',
  additionalProperties: scopeList,
  description: 'Resource indicator → scopes.',
} as const;

const clientGrantsSchema = {
  type: 'object',
  required: ['client_id', 'client_name', 'consent', 'grants'],
  properties: {
    client_id: { type: 'string' },
    client_name: { type: ['string', 'null'] },
    consent: {
      description: 'What the user allowed this client, remembered across sessions; null if nothing is.',
      anyOf: [
        {
          type: 'object',
          required: ['scopes', 'resource_scopes', 'updated_at'],
          properties: { scopes: scopeList, resource_scopes: resourceScopes, updated_at: time },
        },
        { type: 'null' },
      ],
    },
    grants: {
      type: 'array',
      description: 'Provider grants: what the refresh and access tokens of this client were issued under.',
      items: {
        type: 'object',
        required: ['id', 'scopes', 'resource_scopes'],
        properties: {
          id: { type: 'string' },
          scopes: scopeList,
          resource_scopes: resourceScopes,
          created_at: nullableTime,
          expires_at: nullableTime,
        },
      },
    },
  },
} as const;

const sessionSchema = {
  type: 'object',
  required: ['id', 'clients'],
  properties: {
    id: { type: 'string', description: 'Session uid (not its cookie value).' },
    login_at: nullableTime,
    expires_at: nullableTime,
    clients: { type: 'array', items: { type: 'string' }, description: 'Clients authorized in this session.' },
    ip: {
      type: ['string', 'null'],
      description: 'The address the session was signed in from (as the gateway saw it), from the audit log.',
    },
    user_agent: {
      type: ['string', 'null'],
      description: 'The User-Agent of the browser that signed in, from the audit log.',
    },
    last_used_at: {
      ...nullableTime,
      description: 'When a client of the session last got a token; null when none has since the sign-in.',
    },
  },
} as const;

const revokedSchema = {
  type: 'object',
  required: ['consents', 'grants', 'sessions'],
  properties: {
    consents: { type: 'integer', description: 'Remembered consents deleted.' },
    grants: { type: 'integer', description: 'Grants destroyed, with every token issued under them.' },
    sessions: { type: 'integer', description: 'Sign-in sessions ended.' },
  },
} as const;

const revokedSessionsSchema = {
  type: 'object',
  required: ['sessions'],
  properties: { sessions: revokedSchema.properties.sessions },
} as const;

export const listGrantsSchema = routeSchema(
  'admin:read',
  TAG,
  "List a user's consents and grants, per client",
  { params: params('id'), response: { 200: listOf(clientGrantsSchema) } },
  [404],
);

export const revokeAllGrantsSchema = routeSchema(
  'admin:write',
  TAG,
  "Revoke all of a user's access: consents, grants (refresh tokens die) and sessions (sign-in needed again)",
  { params: params('id'), response: { 200: revokedSchema } },
  [404],
);

export const revokeClientGrantsSchema = routeSchema(
  'admin:write',
  TAG,
  "Revoke a user's access for one client: its consent, its grants, and the sessions that authorized it",
  { params: params('id', 'clientId'), response: { 200: revokedSchema } },
  [404],
);

export const listSessionsSchema = routeSchema(
  'admin:read',
  TAG,
  "List a user's sign-in sessions, newest first",
  { params: params('id'), response: { 200: listOf(sessionSchema) } },
  [404],
);

export const revokeAllSessionsSchema = routeSchema(
  'admin:write',
  TAG,
  'Sign a user out of every session',
  { params: params('id'), response: { 200: revokedSessionsSchema } },
  [404],
);

export const revokeSessionSchema = routeSchema(
  'admin:write',
  TAG,
  'End one sign-in session of a user',
  { params: params('id', 'sessionId'), response: { 200: revokedSessionsSchema } },
  [404],
);
