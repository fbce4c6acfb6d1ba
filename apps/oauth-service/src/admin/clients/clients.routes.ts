import type { App, Handler, SchemaType } from '@platform/http';
import type { FastifyReply } from 'fastify';
import type { ClientInput } from '../../clients/client-rules.ts';
import type { ClientUpdate, ClientView } from '../../clients/clients.repository.ts';
import type { TokenExchangePolicy } from '../../token-exchange/policy.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import {
  createClientSchema,
  deleteClientSchema,
  disableClientSchema,
  enableClientSchema,
  getClientSchema,
  listClientsSchema,
  rotateSecretSchema,
  updateClientSchema,
} from './clients.schemas.ts';
import { requestedPolicy } from './token-exchange-policy.ts';

// OAuth clients. Validation is the clients module's (client-rules.ts): exact redirect URIs, OAuth 2.1 grant
// types only, an auth method that fits the client type, known scopes. PKCE is required of every client by
// the provider, so it is not a setting. A client secret appears in exactly two responses, the creation and
// the rotation that produced it; it is stored sealed and no route can read it back.

type Clients = AdminDeps['clients'];

/** The settings other modules keep per client: the MFA flag and the token exchange policy. */
interface Policies {
  mfa: AdminDeps['factors']['policy'];
  exchange: AdminDeps['tokenExchange'];
  resources: AdminDeps['resources'];
}
type Policy = Policies['mfa'];

const clientView = (
  client: ClientView,
  requiringMfa: ReadonlySet<string>,
  exchange: ReadonlyMap<string, TokenExchangePolicy>,
) => ({
  ...client,
  require_pkce: true as const,
  require_mfa: requiringMfa.has(client.client_id),
  token_exchange: exchange.get(client.client_id) ?? null,
});

/** The client as the API shows it, with the MFA flag and the token exchange policy. */
const viewOf = async ({ mfa, exchange }: Policies, client: ClientView) => {
  const policy = await exchange.get(client.client_id);
  return clientView(
    client,
    await mfa.clientsRequiringMfa(),
    new Map(policy ? [[client.client_id, policy]] : []),
  );
};

/** Sets the client's MFA flag when the request names it. */
async function applyMfaFlag(policy: Policy, clientId: string, required: boolean | undefined) {
  if (required !== undefined) await policy.setClientRequiresMfa(clientId, required);
}

/** The API's snake_case fields as the clients module's input; absent fields stay absent. */
function toUpdate(body: SchemaType<typeof updateClientSchema.body>): ClientUpdate {
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
  if (body.first_party !== undefined) update.firstParty = body.first_party;
  if (body.backchannel_logout_uri !== undefined) update.backchannelLogoutUri = body.backchannel_logout_uri;
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
  first_party: client.first_party,
  backchannel_logout_uri: client.backchannel_logout_uri,
});

/** The audited settings with the MFA flag and the token exchange policy as they now are. */
const auditedWithPolicies = async ({ mfa, exchange }: Policies, client: ClientView) => ({
  ...auditedSettings(client),
  require_mfa: (await mfa.clientsRequiringMfa()).has(client.client_id),
  // Not `token_exchange`: the audit log drops keys that name a token.
  exchange_policy: await exchange.get(client.client_id),
});

/** Sets the client's token exchange policy when the request names it (null removes it). */
async function applyExchangePolicy(
  { exchange }: Policies,
  clientId: string,
  policy: TokenExchangePolicy | null | undefined,
) {
  if (policy !== undefined) await exchange.set(clientId, policy);
}

const sendOnce = (reply: FastifyReply, status: number, body: unknown) =>
  // The secret must not sit in any cache (the admin scope already sends no-store on every response).
  reply.status(status).header('pragma', 'no-cache').send(body);

const listClients =
  (clients: Clients, { mfa, exchange }: Policies): Handler<typeof listClientsSchema> =>
  async (request) => {
    const requiring = await mfa.clientsRequiringMfa();
    const exchanges = await exchange.all();
    return {
      items: (await clients.list(request.query)).map((client) => clientView(client, requiring, exchanges)),
    };
  };

const createClient =
  (clients: Clients, policies: Policies, { record }: AdminKit): Handler<typeof createClientSchema> =>
  async (request, reply) => {
    const body = request.body;
    const exchangePolicy = await requestedPolicy(policies.resources, body.token_exchange);
    const input: ClientInput = {
      scope: [],
      ...toUpdate(body),
      name: body.name,
      type: body.type,
      grantTypes: body.grant_types,
    };
    const { client, clientSecret } = await clients.create(input);
    await applyMfaFlag(policies.mfa, client.client_id, body.require_mfa);
    await applyExchangePolicy(policies, client.client_id, exchangePolicy);
    await record(request, {
      action: 'client.create',
      targetType: 'client',
      targetId: client.client_id,
      details: await auditedWithPolicies(policies, client),
    });
    reply.header('location', `/api/admin/clients/${encodeURIComponent(client.client_id)}`);
    return sendOnce(reply, 201, {
      ...(await viewOf(policies, client)),
      ...(clientSecret ? { client_secret: clientSecret } : {}),
    });
  };

const getClient =
  (clients: Clients, policies: Policies): Handler<typeof getClientSchema> =>
  async (request) =>
    viewOf(policies, await clients.get(request.params.clientId));

const updateClient =
  (clients: Clients, policies: Policies, { grants, record }: AdminKit): Handler<typeof updateClientSchema> =>
  async (request) => {
    const exchangePolicy = await requestedPolicy(policies.resources, request.body.token_exchange);
    const client = await clients.update(request.params.clientId, toUpdate(request.body));
    await applyMfaFlag(policies.mfa, client.client_id, request.body.require_mfa);
    await applyExchangePolicy(policies, client.client_id, exchangePolicy);
    // Scopes taken from the client leave with the grants holding them, on every instance at once.
    const revokedGrants =
      request.body.scope === undefined
        ? undefined
        : await grants.forClient(client.client_id, new Set(client.scope));
    await record(request, {
      action: 'client.update',
      targetType: 'client',
      targetId: client.client_id,
      details: {
        changed: Object.keys(request.body).sort(),
        ...(await auditedWithPolicies(policies, client)),
        ...(revokedGrants === undefined ? {} : { revoked_grants: revokedGrants }),
      },
    });
    return viewOf(policies, client);
  };

const setClientEnabled =
  (
    verb: 'enable' | 'disable',
    clients: Clients,
    policies: Policies,
    { record }: AdminKit,
  ): Handler<typeof enableClientSchema> =>
  async (request) => {
    const client = await clients.setEnabled(request.params.clientId, verb === 'enable');
    await record(request, {
      action: `client.${verb}`,
      targetType: 'client',
      targetId: client.client_id,
      details: { name: client.name },
    });
    return viewOf(policies, client);
  };

const rotateSecret =
  (clients: Clients, policies: Policies, { record }: AdminKit): Handler<typeof rotateSecretSchema> =>
  async (request, reply) => {
    const { client, clientSecret } = await clients.rotateSecret(request.params.clientId);
    await record(request, {
      action: 'client.secret_rotate',
      targetType: 'client',
      targetId: client.client_id,
      details: { name: client.name },
    });
    return sendOnce(reply, 200, { ...(await viewOf(policies, client)), client_secret: clientSecret });
  };

const deleteClient =
  (clients: Clients, { record }: AdminKit): Handler<typeof deleteClientSchema> =>
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
  };

export function clientRoutes(
  app: App,
  { clients, factors, tokenExchange, resources }: AdminDeps,
  kit: AdminKit,
): void {
  const policy: Policies = { mfa: factors.policy, exchange: tokenExchange, resources };
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  const one = '/clients/:clientId';
  app.get('/clients', { onRequest: read, schema: listClientsSchema }, listClients(clients, policy));
  app.post('/clients', { onRequest: write, schema: createClientSchema }, createClient(clients, policy, kit));
  app.get(one, { onRequest: read, schema: getClientSchema }, getClient(clients, policy));
  app.patch(one, { onRequest: write, schema: updateClientSchema }, updateClient(clients, policy, kit));
  app.post(
    `${one}/enable`,
    { onRequest: write, schema: enableClientSchema },
    setClientEnabled('enable', clients, policy, kit),
  );
  app.post(
    `${one}/disable`,
    { onRequest: write, schema: disableClientSchema },
    setClientEnabled('disable', clients, policy, kit),
  );
  app.post(
    `${one}/secret`,
    { onRequest: write, schema: rotateSecretSchema },
    rotateSecret(clients, policy, kit),
  );
  app.delete(one, { onRequest: write, schema: deleteClientSchema }, deleteClient(clients, kit));
}
