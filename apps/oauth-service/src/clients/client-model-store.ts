import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { OIDC_SCOPES } from './client-rules.ts';
import { secretPurpose } from './clients.repository.ts';
import type { ClientsTable } from './tables.ts';

const OIDC = new Set<string>(OIDC_SCOPES);

// oidc-provider reads clients through its adapter's `Client` model. This store answers from the `clients`
// table the admin API manages (disabled clients do not exist for the provider), and writes the clients of
// dynamic registration (RFC 7591/7592) to the same table, their secrets sealed like every other.

type Metadata = Record<string, unknown>;

const MANAGED_KEYS = new Set([
  'client_id',
  'client_secret',
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'jwks',
  'scope',
  'dpop_bound_access_tokens',
]);

const oidcScopes = (scope: string) =>
  scope
    .split(' ')
    .filter((s) => OIDC.has(s))
    .join(' ');

// Every token and introspection request looks its client up; the opened metadata is kept for a few seconds.
// Changes made on this instance (admin API, registration) invalidate at once; other instances see them
// within CACHE_TTL_MS.
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

interface Cached {
  at: number;
  metadata: Metadata | undefined;
  scopes: Set<string>;
  firstParty: boolean;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The client as oidc-provider sees it, and every scope it may be granted. */
async function readClient(db: Kysely<OAuthSchema>, box: SecretBox, id: string): Promise<Omit<Cached, 'at'>> {
  const row = await db.selectFrom('clients').selectAll().where('client_id', '=', id).executeTakeFirst();
  const scopes = new Set(row?.scope ? row.scope.split(' ') : []);
  // Disabled clients do not exist for the provider.
  if (row?.enabled !== 1) return { metadata: undefined, scopes, firstParty: false };
  return { metadata: deepFreeze(providerMetadata(row, box)), scopes, firstParty: row.first_party === 1 };
}

function providerMetadata(row: Selectable<ClientsTable>, box: SecretBox): Metadata {
  // A removed back-channel logout URI is kept as null (clients.repository.ts); the provider sees none.
  const { backchannel_logout_uri: backchannel, ...extra } = JSON.parse(row.metadata) as Metadata;
  return {
    ...extra,
    ...(backchannel ? { backchannel_logout_uri: backchannel } : {}),
    client_id: row.client_id,
    client_name: row.name,
    ...(row.client_secret
      ? { client_secret: box.open(row.client_secret, secretPurpose(row.client_id)) }
      : {}),
    redirect_uris: JSON.parse(row.redirect_uris),
    post_logout_redirect_uris: JSON.parse(row.post_logout_redirect_uris),
    grant_types: JSON.parse(row.grant_types),
    response_types: JSON.parse(row.response_types),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    ...(row.jwks ? { jwks: JSON.parse(row.jwks) } : {}),
    // oidc-provider's `scope` metadata may name only its own (OpenID) scopes; the client's resource scopes
    // are enforced per resource server through allowedScopes() (see oidc/provider.ts).
    ...(oidcScopes(row.scope) ? { scope: oidcScopes(row.scope) } : {}),
    ...(row.require_dpop ? { dpop_bound_access_tokens: true } : {}),
  };
}

/** The `clients` columns of a dynamically registered client (RFC 7591/7592), its secret sealed. */
function registeredClientColumns(box: SecretBox, id: string, payload: Metadata, at: number) {
  const method = String(payload.token_endpoint_auth_method ?? 'client_secret_basic');
  const secret = typeof payload.client_secret === 'string' ? payload.client_secret : null;
  const extra = Object.fromEntries(Object.entries(payload).filter(([key]) => !MANAGED_KEYS.has(key)));
  return {
    name: `${String(payload.client_name ?? 'registered client').slice(0, 150)} [${id}]`,
    type: method === 'none' ? 'public' : 'confidential',
    client_secret: secret ? box.seal(secret, secretPurpose(id)) : null,
    secret_rotated_at: secret ? at : null,
    redirect_uris: JSON.stringify(payload.redirect_uris ?? []),
    post_logout_redirect_uris: JSON.stringify(payload.post_logout_redirect_uris ?? []),
    grant_types: JSON.stringify(payload.grant_types ?? ['authorization_code']),
    response_types: JSON.stringify(payload.response_types ?? ['code']),
    token_endpoint_auth_method: method,
    jwks: payload.jwks ? JSON.stringify(payload.jwks) : null,
    scope: typeof payload.scope === 'string' ? payload.scope : '',
    require_dpop: payload.dpop_bound_access_tokens ? 1 : 0,
    metadata: JSON.stringify(extra),
    updated_at: at,
  };
}

/**
 * The back-channel logout URIs of the clients an administrator (or the seed) registered: oauth-service posts
 * to them even on a private network (the consoles sit beside it). A dynamically registered client's URI is
 * not among them and keeps oidc-provider's guard against private addresses (SSRF).
 */
async function managedBackchannelUris(db: Kysely<OAuthSchema>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('clients')
    .select('metadata')
    .where('dynamic', '=', 0)
    .where('enabled', '=', 1)
    .execute();
  const uris = rows.map((row) => {
    try {
      return (JSON.parse(row.metadata) as Metadata).backchannel_logout_uri;
    } catch {
      return undefined;
    }
  });
  // Compared as oidc-provider posts them: normalized by URL.
  return new Set(
    uris.filter((uri): uri is string => typeof uri === 'string').map((uri) => new URL(uri).href),
  );
}

export function createClientModelStore(
  db: Kysely<OAuthSchema>,
  box: SecretBox,
  now: () => number = Date.now,
) {
  const cache = new Map<string, Cached>();
  let backchannel: { at: number; uris: Promise<Set<string>> } | undefined;

  async function load(id: string): Promise<Cached> {
    const hit = cache.get(id);
    if (hit && now() - hit.at < CACHE_TTL_MS) return hit;
    const entry = { at: now(), ...(await readClient(db, box, id)) };
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(id, entry);
    return entry;
  }

  return {
    async find(id: string): Promise<Metadata | undefined> {
      // Handed out as is, deeply frozen: oidc-provider only reads it (it hashes the metadata to find its own
      // cached Client), and a copy per request cost the token endpoint 3% of its CPU. Were a future version
      // to alter it, the write would throw in tests rather than corrupt the cache.
      return (await load(id)).metadata;
    },

    /** Every scope the client may be granted (OpenID and resource scopes). */
    async allowedScopes(id: string): Promise<Set<string>> {
      return (await load(id)).scopes;
    },

    /**
     * Whether the client is the platform's own (no consent page, one-click sign-out). Kept out of the
     * provider's metadata, so dynamic registration can never claim it.
     */
    async isFirstParty(id: string): Promise<boolean> {
      return (await load(id)).firstParty;
    },

    /** Whether `url` is the back-channel logout URI of a client the operator registered (not dynamically). */
    async isManagedBackchannelUri(url: string): Promise<boolean> {
      if (!backchannel || now() - backchannel.at >= CACHE_TTL_MS)
        backchannel = { at: now(), uris: managedBackchannelUris(db) };
      return (await backchannel.uris).has(new URL(url).href);
    },

    /** Forget cached clients (one, or all) after a change. */
    invalidate(id?: string): void {
      backchannel = undefined;
      if (id === undefined) cache.clear();
      else cache.delete(id);
    },

    /** Dynamic registration and its updates (RFC 7591/7592). */
    async upsert(id: string, payload: Metadata): Promise<void> {
      const values = registeredClientColumns(box, id, payload, now());
      await db
        .insertInto('clients')
        .values({ client_id: id, enabled: 1, dynamic: 1, ...values })
        .onConflict((oc) => oc.column('client_id').doUpdateSet(values))
        .execute();
      cache.delete(id);
    },

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('clients').where('client_id', '=', id).where('dynamic', '=', 1).execute();
      cache.delete(id);
    },

    // The rest of oidc-provider's adapter interface has no meaning for clients.
    async consume(): Promise<void> {},
    async findByUid(): Promise<undefined> {
      return undefined;
    },
    async findByUserCode(): Promise<undefined> {
      return undefined;
    },
    async revokeByGrantId(): Promise<void> {},
  };
}
