import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ClientInput } from '../../clients/client-rules.ts';
import type { ClientUpdate, ClientView } from '../../clients/clients.repository.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { listOf, noContent, nullableTime, params, routeSchema, time } from '../schemas.ts';

// OAuth clients. Validation is the clients module's (client-rules.ts): exact redirect URIs, OAuth 2.1 grant
// types only, an auth method that fits the client type, known scopes. PKCE is required of every client by
// the provider, so it is not a setting. A client secret appears in exactly two responses, the creation and
// the rotation that produced it; it is stored sealed and no route can read it back.

const TAG = 'clients';

const uris = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 2048 } } as const;
const jwks = {
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', maxItems: 20, items: { type: 'object' } } },
  description: 'Public keys of a private_key_jwt client.',
} as const;

export const clientSchema = {
  type: 'object',
  required: ['client_id', 'name', 'type', 'grant_types', 'token_endpoint_auth_method', 'enabled'],
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

const clientView = (client: ClientView) => ({ ...client, require_pkce: true as const });

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
} as const;

interface EditableBody {
  name?: string;
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  grant_types?: string[];
  token_endpoint_auth_method?: string;
  scope?: string[];
  require_dpop?: boolean;
  require_pkce?: true;
  jwks?: { keys: unknown[] };
  application_type?: 'web' | 'native';
}

interface CreateBody extends EditableBody {
  name: string;
  type: 'confidential' | 'public';
  grant_types: string[];
}

/** The API's snake_case fields as the clients module's input; absent fields stay absent. */
function toUpdate(body: EditableBody): ClientUpdate {
  const update: ClientUpdate = {};
  if (body.name !== undefined) update.name = body.name;
  if (body.redirect_uris !== undefined) update.redirectUris = body.redirect_uris;
  if (body.post_logout_redirect_uris !== undefined)
    update.postLogoutRedirectUris = body.post_logout_redirect_uris;
  if (body.grant_types !== undefined) update.grantTypes = body.grant_types;
  if (body.token_endpoint_auth_method !== undefined)
    update.tokenEndpointAuthMethod = body.token_endpoint_auth_method;
  if (body.scope !== undefined) update.scope = body.scope;
  if (body.require_dpop !== undefined) update.requireDpop = body.require_dpop;
  if (body.jwks !== undefined) update.jwks = body.jwks;
  if (body.application_type !== undefined) update.applicationType = body.application_type;
  return update;
}

/** What the audit log keeps of a client: its settings, never a secret or key material. */
const auditedSettings = (client: ClientView) => ({
  name: client.name,
  type: client.type,
  grant_types: client.grant_types,
  redirect_uris: client.redirect_uris,
  token_endpoint_auth_method: client.token_endpoint_auth_method,
  scope: client.scope,
  require_dpop: client.require_dpop,
});

type IdParams = { clientId: string };

const sendOnce = (reply: FastifyReply, status: number, body: unknown) =>
  // The secret must not sit in any cache (the admin scope already sends no-store on every response).
  reply.status(status).header('pragma', 'no-cache').send(body);

export function clientRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit) {
  const { clients } = deps;
  const { guard, record } = kit;

  app.get(
    '/clients',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema('admin:read', TAG, 'List clients by name (without secrets)', {
        response: { 200: listOf(clientSchema) },
      }),
    },
    async () => ({ items: (await clients.list()).map(clientView) }),
  );

  app.post<{ Body: CreateBody }>(
    '/clients',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
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
      ),
    },
    async (request, reply) => {
      const body = request.body;
      const input: ClientInput = {
        scope: [],
        ...toUpdate(body),
        name: body.name,
        type: body.type,
        grantTypes: body.grant_types,
      };
      const { client, clientSecret } = await clients.create(input);
      await record(request, {
        action: 'client.create',
        targetType: 'client',
        targetId: client.client_id,
        details: auditedSettings(client),
      });
      reply.header('location', `/api/admin/clients/${encodeURIComponent(client.client_id)}`);
      return sendOnce(reply, 201, {
        ...clientView(client),
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      });
    },
  );

  app.get<{ Params: IdParams }>(
    '/clients/:clientId',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        'Get a client (without its secret)',
        { params: params('clientId'), response: { 200: clientSchema } },
        [404],
      ),
    },
    async (request) => clientView(await clients.get(request.params.clientId)),
  );

  app.patch<{ Params: IdParams; Body: EditableBody }>(
    '/clients/:clientId',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Update a client; the result is validated like a new one; grants holding a scope the client loses are revoked',
        {
          params: params('clientId'),
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: editable },
          response: { 200: clientSchema },
        },
        [400, 404, 409],
      ),
    },
    async (request) => {
      const client = await clients.update(request.params.clientId, toUpdate(request.body));
      // Scopes taken from the client leave with the grants holding them, on every instance at once.
      const revokedGrants =
        request.body.scope === undefined
          ? undefined
          : await kit.grants.forClient(client.client_id, new Set(client.scope));
      await record(request, {
        action: 'client.update',
        targetType: 'client',
        targetId: client.client_id,
        details: {
          changed: Object.keys(request.body).sort(),
          ...auditedSettings(client),
          ...(revokedGrants === undefined ? {} : { revoked_grants: revokedGrants }),
        },
      });
      return clientView(client);
    },
  );

  for (const verb of ['enable', 'disable'] as const) {
    app.post<{ Params: IdParams }>(
      `/clients/:clientId/${verb}`,
      {
        onRequest: guard('admin:write'),
        schema: routeSchema(
          'admin:write',
          TAG,
          verb === 'enable'
            ? 'Enable a client'
            : 'Disable a client: the provider no longer knows it, its tokens stop being accepted',
          { params: params('clientId'), response: { 200: clientSchema } },
          [404],
        ),
      },
      async (request) => {
        const client = await clients.setEnabled(request.params.clientId, verb === 'enable');
        await record(request, {
          action: `client.${verb}`,
          targetType: 'client',
          targetId: client.client_id,
          details: { name: client.name },
        });
        return clientView(client);
      },
    );
  }

  app.post<{ Params: IdParams }>(
    '/clients/:clientId/secret',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Rotate the client secret: the old one stops working at once; the new one is in this response only',
        { params: params('clientId'), response: { 200: withSecret } },
        [404, 409],
      ),
    },
    async (request, reply) => {
      const { client, clientSecret } = await clients.rotateSecret(request.params.clientId);
      await record(request, {
        action: 'client.secret_rotate',
        targetType: 'client',
        targetId: client.client_id,
        details: { name: client.name },
      });
      return sendOnce(reply, 200, { ...clientView(client), client_secret: clientSecret });
    },
  );

  app.delete<{ Params: IdParams }>(
    '/clients/:clientId',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Delete a client, with the consents users gave it',
        { params: params('clientId'), response: noContent },
        [404],
      ),
    },
    async (request, reply) => {
      const client = await clients.get(request.params.clientId);
      await clients.delete(client.client_id);
      await record(request, {
        action: 'client.delete',
        targetType: 'client',
        targetId: client.client_id,
        details: { name: client.name },
      });
      return reply.status(204).send();
    },
  );
}
