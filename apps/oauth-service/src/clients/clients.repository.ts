import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '@platform/db';
import { conflict, HttpError, notFound } from '@platform/http';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { assertValidClient, type ClientInput, OIDC_SCOPES } from './client-rules.ts';
import type { ClientsTable } from './tables.ts';

export const secretPurpose = (clientId: string) => `client_secret:${clientId}`;

/** 256 bits from the CSPRNG, base64url: what the server hands out as a client secret. */
export const generateClientSecret = () => randomBytes(32).toString('base64url');

export interface ClientView {
  client_id: string;
  name: string;
  type: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  scope: string[];
  require_dpop: boolean;
  /** `web` or `native` (RFC 8252: loopback redirect URIs match on any port). */
  application_type: string;
  /** Public keys of a private_key_jwt client; null otherwise. */
  jwks: { keys: unknown[] } | null;
  enabled: boolean;
  dynamic: boolean;
  /** The platform's own client: no consent page, one-click sign-out (docs/adr/0023-first-party-clients.md). */
  first_party: boolean;
  /** OIDC Back-Channel Logout: where logout tokens are posted (with the session's sid); null: none. */
  backchannel_logout_uri: string | null;
  has_secret: boolean;
  secret_rotated_at: string | null;
  created_at: string;
  updated_at: string;
}

function applicationTypeOf(metadata: string): string {
  return parseMetadata(metadata).application_type === 'native' ? 'native' : 'web';
}

function backchannelLogoutUriOf(metadata: string): string | null {
  const uri = parseMetadata(metadata).backchannel_logout_uri;
  return typeof uri === 'string' ? uri : null;
}

/**
 * The back-channel logout metadata oidc-provider reads: the URI, always with the session's sid (the consoles
 * end exactly that session). A removed URI stays as null, so the seed knows an administrator removed it.
 */
const backchannelMetadata = (uri: string | null | undefined) =>
  uri
    ? { backchannel_logout_uri: uri, backchannel_logout_session_required: true }
    : { backchannel_logout_uri: null, backchannel_logout_session_required: undefined };

export const toClientView = (row: Selectable<ClientsTable>): ClientView => ({
  client_id: row.client_id,
  name: row.name,
  type: row.type,
  redirect_uris: JSON.parse(row.redirect_uris),
  post_logout_redirect_uris: JSON.parse(row.post_logout_redirect_uris),
  grant_types: JSON.parse(row.grant_types),
  token_endpoint_auth_method: row.token_endpoint_auth_method,
  scope: row.scope ? row.scope.split(' ') : [],
  require_dpop: row.require_dpop === 1,
  application_type: applicationTypeOf(row.metadata),
  jwks: row.jwks ? JSON.parse(row.jwks) : null,
  enabled: row.enabled === 1,
  dynamic: row.dynamic === 1,
  first_party: row.first_party === 1,
  backchannel_logout_uri: backchannelLogoutUriOf(row.metadata),
  has_secret: row.client_secret !== null,
  secret_rotated_at: row.secret_rotated_at === null ? null : new Date(row.secret_rotated_at).toISOString(),
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const SECRET_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post'];

/** The changes `update` accepts; absent fields keep their value. The type and client id never change. */
export type ClientUpdate = Partial<Omit<ClientInput, 'type'>>;

/** What `create` accepts: `clientId`/`clientSecret` may be fixed by the seed. */
export type NewClient = ClientInput & { clientId?: string; clientSecret?: string };

export interface ClientsRepositoryOptions {
  now?: () => number;
  /** Called after any change to a client (all clients when the id is absent), e.g. to drop cached copies. */
  onChange?: (clientId?: string) => void;
}

interface Context {
  db: Kysely<OAuthSchema>;
  box: SecretBox;
  now: () => number;
}

async function knownScopes(db: Kysely<OAuthSchema>): Promise<Set<string>> {
  const rows = await db.selectFrom('scopes').select('name').execute();
  return new Set([...OIDC_SCOPES, ...rows.map((r) => r.name)]);
}

async function findRow(db: Kysely<OAuthSchema>, clientId: string): Promise<Selectable<ClientsTable>> {
  const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  if (!row) throw notFound(`client ${clientId} does not exist`);
  return row;
}

const getClient = async (db: Kysely<OAuthSchema>, clientId: string) =>
  toClientView(await findRow(db, clientId));

/**
 * Creates a client. The secret (confidential clients using a shared secret) is generated here, sealed at
 * rest, and returned in plaintext exactly once.
 */
async function createClient({ db, box, now }: Context, input: NewClient) {
  assertValidClient(input, await knownScopes(db));
  const clientId = input.clientId ?? randomBytes(16).toString('base64url');
  const method = input.tokenEndpointAuthMethod ?? (input.type === 'public' ? 'none' : 'client_secret_basic');
  const secret = SECRET_METHODS.includes(method) ? (input.clientSecret ?? generateClientSecret()) : undefined;
  const at = now();
  try {
    await db
      .insertInto('clients')
      .values({
        client_id: clientId,
        name: input.name.trim(),
        type: input.type,
        client_secret: secret ? box.seal(secret, secretPurpose(clientId)) : null,
        secret_rotated_at: secret ? at : null,
        redirect_uris: JSON.stringify(input.redirectUris ?? []),
        post_logout_redirect_uris: JSON.stringify(input.postLogoutRedirectUris ?? []),
        grant_types: JSON.stringify(input.grantTypes),
        response_types: JSON.stringify(input.grantTypes.includes('authorization_code') ? ['code'] : []),
        token_endpoint_auth_method: method,
        jwks: input.jwks ? JSON.stringify(input.jwks) : null,
        scope: input.scope.join(' '),
        require_dpop: input.requireDpop ? 1 : 0,
        enabled: 1,
        dynamic: 0,
        first_party: input.firstParty ? 1 : 0,
        metadata: JSON.stringify({
          application_type: input.applicationType ?? 'web',
          ...(input.backchannelLogoutUri ? backchannelMetadata(input.backchannelLogoutUri) : {}),
        }),
        updated_at: at,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`a client named "${input.name}" or with id ${clientId} already exists`);
    throw error;
  }
  return { client: await getClient(db, clientId), clientSecret: secret };
}

/** Replaces the secret; the new one is returned once and the old one stops working at once. */
async function rotateSecret({ db, box, now }: Context, clientId: string) {
  const current = await getClient(db, clientId);
  if (!SECRET_METHODS.includes(current.token_endpoint_auth_method)) {
    throw conflict(
      `client ${clientId} authenticates with ${current.token_endpoint_auth_method} and has no secret`,
    );
  }
  const secret = generateClientSecret();
  const at = now();
  await db
    .updateTable('clients')
    .set({ client_secret: box.seal(secret, secretPurpose(clientId)), secret_rotated_at: at, updated_at: at })
    .where('client_id', '=', clientId)
    .execute();
  return { client: await getClient(db, clientId), clientSecret: secret };
}

/** The client as it would be after `changes`, in the shape `create` validates. */
function mergeChanges(current: ClientView, changes: ClientUpdate): ClientInput {
  return {
    name: changes.name ?? current.name,
    type: current.type === 'public' ? 'public' : 'confidential',
    redirectUris: changes.redirectUris ?? current.redirect_uris,
    postLogoutRedirectUris: changes.postLogoutRedirectUris ?? current.post_logout_redirect_uris,
    grantTypes: changes.grantTypes ?? current.grant_types,
    tokenEndpointAuthMethod: changes.tokenEndpointAuthMethod ?? current.token_endpoint_auth_method,
    scope: changes.scope ?? current.scope,
    requireDpop: changes.requireDpop ?? current.require_dpop,
    applicationType: changes.applicationType ?? (current.application_type === 'native' ? 'native' : 'web'),
    firstParty: changes.firstParty ?? current.first_party,
    backchannelLogoutUri:
      changes.backchannelLogoutUri === undefined
        ? current.backchannel_logout_uri
        : changes.backchannelLogoutUri,
    ...((changes.jwks ?? current.jwks)
      ? { jwks: changes.jwks ?? (current.jwks as { keys: unknown[] }) }
      : {}),
  };
}

/**
 * Switching between an auth method with a secret and one without is refused: that changes what the client
 * holds, so it is a new client.
 */
function assertSameSecretKind(from: string, to: string): void {
  if (SECRET_METHODS.includes(to) === SECRET_METHODS.includes(from)) return;
  throw new HttpError({
    status: 400,
    code: 'validation_failed',
    detail: `token_endpoint_auth_method: cannot change from ${from} to ${to}; create a new client instead`,
    extensions: {
      errors: [
        {
          in: 'body',
          path: '/token_endpoint_auth_method',
          message: `cannot change between a method with a client secret and one without (${from} to ${to})`,
        },
      ],
    },
  });
}

function parseMetadata(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Changes a client. The result is validated as a whole (the same rules as `create`), so a change cannot
 * leave a client the provider would refuse.
 */
async function updateClient({ db, now }: Context, clientId: string, changes: ClientUpdate) {
  const row = await findRow(db, clientId);
  const current = toClientView(row);
  const merged = mergeChanges(current, changes);
  assertValidClient(merged, await knownScopes(db));
  const method = merged.tokenEndpointAuthMethod!;
  assertSameSecretKind(current.token_endpoint_auth_method, method);
  try {
    await db
      .updateTable('clients')
      .set({
        name: merged.name.trim(),
        redirect_uris: JSON.stringify(merged.redirectUris ?? []),
        post_logout_redirect_uris: JSON.stringify(merged.postLogoutRedirectUris ?? []),
        grant_types: JSON.stringify(merged.grantTypes),
        response_types: JSON.stringify(merged.grantTypes.includes('authorization_code') ? ['code'] : []),
        token_endpoint_auth_method: method,
        jwks: method === 'private_key_jwt' && merged.jwks ? JSON.stringify(merged.jwks) : null,
        scope: merged.scope.join(' '),
        require_dpop: merged.requireDpop ? 1 : 0,
        first_party: merged.firstParty ? 1 : 0,
        metadata: JSON.stringify({
          ...parseMetadata(row.metadata),
          application_type: merged.applicationType,
          ...(changes.backchannelLogoutUri === undefined
            ? {}
            : backchannelMetadata(changes.backchannelLogoutUri)),
        }),
        updated_at: now(),
      })
      .where('client_id', '=', clientId)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a client named "${merged.name}" already exists`);
    throw error;
  }
  return getClient(db, clientId);
}

/** Deletes the client; its remembered consents go with it (FK cascade). */
async function deleteClient({ db }: Context, clientId: string): Promise<void> {
  const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound(`client ${clientId} does not exist`);
}

/** Takes scopes that no longer exist (a resource server or scope was deleted) off every client. */
async function removeScopes({ db, now }: Context, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  const gone = new Set(names);
  const rows = await db.selectFrom('clients').select(['client_id', 'scope']).execute();
  let changed = 0;
  for (const row of rows) {
    const scopes = row.scope ? row.scope.split(' ') : [];
    const kept = scopes.filter((scope) => !gone.has(scope));
    if (kept.length === scopes.length) continue;
    await db
      .updateTable('clients')
      .set({ scope: kept.join(' '), updated_at: now() })
      .where('client_id', '=', row.client_id)
      .execute();
    changed += 1;
  }
  return changed;
}

async function setEnabled({ db, now }: Context, clientId: string, enabled: boolean): Promise<ClientView> {
  await getClient(db, clientId);
  await db
    .updateTable('clients')
    .set({ enabled: enabled ? 1 : 0, updated_at: now() })
    .where('client_id', '=', clientId)
    .execute();
  return getClient(db, clientId);
}

export const CLIENT_SORTS = ['name', 'created_at'] as const;

export interface ClientListOrder {
  /** Default name (case-insensitively). */
  sort?: (typeof CLIENT_SORTS)[number];
  order?: 'asc' | 'desc';
}

/** Every client in the chosen order, ties broken by client id. */
async function listClients(db: Kysely<OAuthSchema>, wanted: ClientListOrder = {}): Promise<ClientView[]> {
  const order = wanted.order ?? 'asc';
  const key = wanted.sort === 'created_at' ? sql`created_at` : sql`lower(name)`;
  const rows = await db
    .selectFrom('clients')
    .selectAll()
    .orderBy(key, order)
    .orderBy('client_id', order)
    .execute();
  return rows.map(toClientView);
}

export function createClientsRepository(
  db: Kysely<OAuthSchema>,
  box: SecretBox,
  options: ClientsRepositoryOptions = {},
) {
  const context: Context = { db, box, now: options.now ?? Date.now };
  const changed = options.onChange ?? (() => {});

  // Every mutation reports the client it touched, after it succeeded.
  return {
    get: (clientId: string) => getClient(db, clientId),
    knownScopes: () => knownScopes(db),
    list: (wanted?: ClientListOrder) => listClients(db, wanted),
    async create(input: NewClient) {
      const result = await createClient(context, input);
      changed(result.client.client_id);
      return result;
    },
    async rotateSecret(clientId: string): Promise<{ client: ClientView; clientSecret: string }> {
      const result = await rotateSecret(context, clientId);
      changed(clientId);
      return result;
    },
    async update(clientId: string, changes: ClientUpdate): Promise<ClientView> {
      const result = await updateClient(context, clientId, changes);
      changed(clientId);
      return result;
    },
    async delete(clientId: string): Promise<void> {
      await deleteClient(context, clientId);
      changed(clientId);
    },
    async removeScopes(names: readonly string[]): Promise<number> {
      const count = await removeScopes(context, names);
      changed();
      return count;
    },
    async setEnabled(clientId: string, enabled: boolean): Promise<ClientView> {
      const result = await setEnabled(context, clientId, enabled);
      changed(clientId);
      return result;
    },
  };
}

export type ClientsRepository = ReturnType<typeof createClientsRepository>;
