import { isUniqueViolation } from '@platform/db';
import type { Kysely } from 'kysely';
import { ConflictError } from '../accounts/errors.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { UpstreamProviderKind, UpstreamProvidersTable } from './tables.ts';

// SQL of the upstream providers. Rows hold JSON text; the domain type holds it parsed. The client secret
// is sealed on the way in and only `clientSecret` opens it: the domain type says whether there is one.

type Db = Kysely<OAuthSchema>;

/** Claim names or dotted paths (`realm_access.roles`) in the upstream's ID token or user info; null: unmapped. */
export interface ClaimMapping {
  subject: string;
  email: string | null;
  email_verified: string | null;
  name: string | null;
  groups: string | null;
}

/** Upstream `amr` / `acr` values that satisfy the local MFA policy. */
export interface MfaSatisfiedBy {
  amr: string[];
  acr: string[];
}

export interface UpstreamProvider {
  id: string;
  displayName: string;
  kind: UpstreamProviderKind;
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  userinfoEndpoint: string | null;
  clientId: string;
  hasSecret: boolean;
  scopes: string[];
  claimMapping: ClaimMapping;
  /** Upstream group → local role name. */
  groupRoles: Record<string, string>;
  jitEnabled: boolean;
  defaultRoles: string[];
  allowedEmailDomains: string[];
  linkByVerifiedEmail: boolean;
  mfaSatisfiedBy: MfaSatisfiedBy;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What a provider is made from; `clientSecret` in plain text (sealed before it is stored). */
export type NewUpstreamProvider = Omit<UpstreamProvider, 'hasSecret' | 'createdAt' | 'updatedAt'> & {
  clientSecret?: string | null;
};

/** Fields to change; `clientSecret` undefined keeps the secret, null removes it. */
export type UpstreamProviderChanges = Partial<Omit<NewUpstreamProvider, 'id'>>;

export const OIDC_CLAIM_MAPPING: ClaimMapping = {
  subject: 'sub',
  email: 'email',
  email_verified: 'email_verified',
  name: 'name',
  groups: 'groups',
};

const secretPurpose = (id: string) => `upstream_providers.client_secret:${id}`;

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const toProvider = (row: UpstreamProvidersTable): UpstreamProvider => ({
  id: row.id,
  displayName: row.display_name,
  kind: row.kind,
  issuer: row.issuer,
  authorizationEndpoint: row.authorization_endpoint,
  tokenEndpoint: row.token_endpoint,
  userinfoEndpoint: row.userinfo_endpoint,
  clientId: row.client_id,
  hasSecret: row.client_secret_sealed !== null,
  scopes: row.scopes.split(' ').filter(Boolean),
  claimMapping: { ...OIDC_CLAIM_MAPPING, ...parseJson<Partial<ClaimMapping>>(row.claim_mapping, {}) },
  groupRoles: parseJson<Record<string, string>>(row.group_roles, {}),
  jitEnabled: Number(row.jit_enabled) === 1,
  defaultRoles: parseJson<string[]>(row.default_roles, []),
  allowedEmailDomains: parseJson<string[]>(row.allowed_email_domains, []),
  linkByVerifiedEmail: Number(row.link_by_verified_email) === 1,
  mfaSatisfiedBy: { amr: [], acr: [], ...parseJson<Partial<MfaSatisfiedBy>>(row.mfa_satisfied_by, {}) },
  enabled: Number(row.enabled) === 1,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

type ProviderColumns = Omit<
  UpstreamProvidersTable,
  'id' | 'client_secret_sealed' | 'created_at' | 'updated_at'
>;

/** The columns of the fields present in `changes` (all of them for a new provider). */
function toColumns(changes: UpstreamProviderChanges): Partial<ProviderColumns> {
  const columns: Partial<ProviderColumns> = {
    display_name: changes.displayName,
    kind: changes.kind,
    issuer: changes.issuer,
    authorization_endpoint: changes.authorizationEndpoint,
    token_endpoint: changes.tokenEndpoint,
    userinfo_endpoint: changes.userinfoEndpoint,
    client_id: changes.clientId,
    scopes: changes.scopes?.join(' '),
    claim_mapping: changes.claimMapping && JSON.stringify(changes.claimMapping),
    group_roles: changes.groupRoles && JSON.stringify(changes.groupRoles),
    jit_enabled: changes.jitEnabled === undefined ? undefined : Number(changes.jitEnabled),
    default_roles: changes.defaultRoles && JSON.stringify(changes.defaultRoles),
    allowed_email_domains: changes.allowedEmailDomains && JSON.stringify(changes.allowedEmailDomains),
    link_by_verified_email:
      changes.linkByVerifiedEmail === undefined ? undefined : Number(changes.linkByVerifiedEmail),
    mfa_satisfied_by: changes.mfaSatisfiedBy && JSON.stringify(changes.mfaSatisfiedBy),
    enabled: changes.enabled === undefined ? undefined : Number(changes.enabled),
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

export function createProvidersRepository(db: Db, box: SecretBox, options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const sealed = (id: string, secret: string | null | undefined) =>
    secret ? box.seal(secret, secretPurpose(id)) : null;

  async function find(id: string): Promise<UpstreamProvider | undefined> {
    const row = await db.selectFrom('upstream_providers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toProvider(row);
  }

  return {
    async list(): Promise<UpstreamProvider[]> {
      const rows = await db.selectFrom('upstream_providers').selectAll().orderBy('id').execute();
      return rows.map(toProvider);
    },
    async listEnabled(): Promise<UpstreamProvider[]> {
      const rows = await db
        .selectFrom('upstream_providers')
        .selectAll()
        .where('enabled', '=', 1)
        .orderBy('display_name')
        .orderBy('id')
        .execute();
      return rows.map(toProvider);
    },
    find,
    /** Inserts the provider; a taken id is a ConflictError (409) on `id`. */
    async create(provider: NewUpstreamProvider): Promise<UpstreamProvider> {
      const at = now();
      const row = {
        ...(toColumns(provider) as ProviderColumns),
        id: provider.id,
        client_secret_sealed: sealed(provider.id, provider.clientSecret),
        created_at: at,
        updated_at: at,
      };
      await db
        .insertInto('upstream_providers')
        .values(row)
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? new ConflictError('upstream provider', 'id') : error;
        });
      return toProvider(row);
    },
    /** Applies the changes; undefined when there is no such provider. */
    async update(id: string, changes: UpstreamProviderChanges): Promise<UpstreamProvider | undefined> {
      const secret =
        changes.clientSecret === undefined ? {} : { client_secret_sealed: sealed(id, changes.clientSecret) };
      const result = await db
        .updateTable('upstream_providers')
        .set({ ...toColumns(changes), ...secret, updated_at: now() })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? find(id) : undefined;
    },
    /** Deletes the provider and its links; false when there was none. */
    async remove(id: string): Promise<boolean> {
      const result = await db.deleteFrom('upstream_providers').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    /** The client secret in plain text, for the token request; undefined for a public client. */
    async clientSecret(provider: Pick<UpstreamProvider, 'id'>): Promise<string | undefined> {
      const row = await db
        .selectFrom('upstream_providers')
        .select('client_secret_sealed')
        .where('id', '=', provider.id)
        .executeTakeFirst();
      return row?.client_secret_sealed
        ? box.open(row.client_secret_sealed, secretPurpose(provider.id))
        : undefined;
    },
  };
}

export type ProvidersRepository = ReturnType<typeof createProvidersRepository>;
