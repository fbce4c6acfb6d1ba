import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { OAuthSchema } from '../db/schema.ts';
import type { RememberedConsents } from '../oidc/provider.ts';

// Consent is remembered per user and client across sessions: what the user allowed is stored here when they
// confirm, and turned back into a provider Grant when they next sign in to the same client, so they are asked
// again only for scopes they have not allowed yet. Revoking consent (admin API, user sign-out of a client)
// deletes the row.

export interface ConsentRecord {
  oidcScopes: string[];
  resourceScopes: Record<string, string[]>;
}

type Db = Kysely<OAuthSchema>;

async function readConsent(db: Db, userId: string, clientId: string): Promise<ConsentRecord | undefined> {
  const row = await db
    .selectFrom('consents')
    .selectAll()
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const resources = JSON.parse(row.resource_scopes) as Record<string, string>;
  return {
    oidcScopes: row.oidc_scopes ? row.oidc_scopes.split(' ') : [],
    resourceScopes: Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, v ? v.split(' ') : []])),
  };
}

/** The stored columns of `previous` merged with `consent`: consenting to more never forgets earlier consent. */
function mergedColumns(previous: ConsentRecord | undefined, consent: ConsentRecord) {
  const oidc = new Set([...(previous?.oidcScopes ?? []), ...consent.oidcScopes]);
  const resources: Record<string, Set<string>> = {};
  for (const source of [previous?.resourceScopes ?? {}, consent.resourceScopes]) {
    for (const [indicator, scopes] of Object.entries(source)) {
      resources[indicator] ??= new Set();
      for (const scope of scopes) resources[indicator].add(scope);
    }
  }
  return {
    oidc_scopes: [...oidc].join(' '),
    resource_scopes: JSON.stringify(
      Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, [...v].join(' ')])),
    ),
  };
}

// Remembered consent never outlives the user's roles: scopes they no longer hold are not re-granted.
async function grantFromConsent(
  provider: Provider,
  ids: { accountId: string; clientId: string },
  consent: ConsentRecord,
  permitted: Set<string>,
) {
  const grant = new provider.Grant(ids);
  if (consent.oidcScopes.length) grant.addOIDCScope(consent.oidcScopes.join(' '));
  for (const [indicator, scopes] of Object.entries(consent.resourceScopes)) {
    const still = scopes.filter((scope) => permitted.has(scope));
    if (still.length) grant.addResourceScope(indicator, still.join(' '));
  }
  await grant.save();
  return grant;
}

export function createConsentsStore(
  db: Db,
  options: { permissionsOf: (userId: string) => Promise<Set<string>>; now?: () => number },
): RememberedConsents & {
  remember(userId: string, clientId: string, consent: ConsentRecord): Promise<void>;
  get(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  listForUser(userId: string): Promise<Array<ConsentRecord & { clientId: string; updatedAt: number }>>;
  revoke(userId: string, clientId?: string): Promise<number>;
} {
  const now = options.now ?? Date.now;
  const get = (userId: string, clientId: string) => readConsent(db, userId, clientId);

  return {
    get,

    async remember(userId, clientId, consent) {
      const values = { ...mergedColumns(await get(userId, clientId), consent), updated_at: now() };
      await db
        .insertInto('consents')
        .values({ user_id: userId, client_id: clientId, ...values })
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet(values))
        .execute();
    },

    async loadGrant(provider: Provider, accountId: string, clientId: string) {
      const consent = await get(accountId, clientId);
      if (!consent) return undefined;
      return grantFromConsent(
        provider,
        { accountId, clientId },
        consent,
        await options.permissionsOf(accountId),
      );
    },

    async listForUser(userId) {
      const rows = await db
        .selectFrom('consents')
        .select(['client_id', 'updated_at'])
        .where('user_id', '=', userId)
        .execute();
      const out = [];
      for (const row of rows) {
        const consent = await get(userId, row.client_id);
        if (consent) out.push({ ...consent, clientId: row.client_id, updatedAt: row.updated_at });
      }
      return out;
    },

    async revoke(userId, clientId) {
      let query = db.deleteFrom('consents').where('user_id', '=', userId);
      if (clientId) query = query.where('client_id', '=', clientId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type ConsentsStore = ReturnType<typeof createConsentsStore>;
