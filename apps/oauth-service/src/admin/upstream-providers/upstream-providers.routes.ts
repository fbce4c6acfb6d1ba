import type { App, Handler } from '@platform/http';
import { NotFoundError } from '../../accounts/errors.ts';
import { upstreamCallbackPath } from '../../federation/paths.ts';
import {
  assertValidProvider,
  DEFAULT_CLAIM_MAPPING,
  DEFAULT_SCOPES,
} from '../../federation/provider-rules.ts';
import type {
  ClaimMapping,
  NewUpstreamProvider,
  UpstreamProvider,
  UpstreamProviderChanges,
} from '../../federation/providers.repository.ts';
import type { UpstreamProviderKind } from '../../federation/tables.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso } from '../schemas.ts';
import {
  createProviderSchema,
  deleteProviderSchema,
  getProviderSchema,
  listProvidersSchema,
  UPSTREAM_PROVIDERS,
  updateProviderSchema,
} from './upstream-providers.schemas.ts';

// Upstream identity providers ("Sign in with …"): their configuration. The client secret is write-only;
// every change is audited, with the names of the fields changed and never their secret values.

/** A request body as the schemas let it through: every field optional (create requires a few). */
interface ProviderBody {
  display_name?: string;
  kind?: UpstreamProviderKind;
  issuer?: string | null;
  authorization_endpoint?: string | null;
  token_endpoint?: string | null;
  userinfo_endpoint?: string | null;
  client_id?: string;
  client_secret?: string | null;
  scopes?: string[];
  claim_mapping?: Partial<ClaimMapping>;
  group_roles?: Record<string, string>;
  jit_enabled?: boolean;
  default_roles?: string[];
  allowed_email_domains?: string[];
  link_by_verified_email?: boolean;
  mfa_satisfied_by?: { amr?: string[]; acr?: string[] };
  enabled?: boolean;
}

type Providers = AdminDeps['federation']['providers'];

export function providerView(provider: UpstreamProvider, publicUrl: string) {
  return {
    id: provider.id,
    display_name: provider.displayName,
    kind: provider.kind,
    issuer: provider.issuer,
    authorization_endpoint: provider.authorizationEndpoint,
    token_endpoint: provider.tokenEndpoint,
    userinfo_endpoint: provider.userinfoEndpoint,
    client_id: provider.clientId,
    has_secret: provider.hasSecret,
    scopes: provider.scopes,
    claim_mapping: provider.claimMapping,
    group_roles: provider.groupRoles,
    jit_enabled: provider.jitEnabled,
    default_roles: provider.defaultRoles,
    allowed_email_domains: provider.allowedEmailDomains,
    link_by_verified_email: provider.linkByVerifiedEmail,
    mfa_satisfied_by: provider.mfaSatisfiedBy,
    enabled: provider.enabled,
    redirect_uri: `${publicUrl}${upstreamCallbackPath(provider.id)}`,
    created_at: iso(provider.createdAt),
    updated_at: iso(provider.updatedAt),
  };
}

/** The domain fields the body sets (claim mapping and MFA values completed later, against the kind). */
function changesFrom(body: ProviderBody): UpstreamProviderChanges {
  const changes: UpstreamProviderChanges = {
    displayName: body.display_name?.trim(),
    kind: body.kind,
    issuer: body.issuer,
    authorizationEndpoint: body.authorization_endpoint,
    tokenEndpoint: body.token_endpoint,
    userinfoEndpoint: body.userinfo_endpoint,
    clientId: body.client_id?.trim(),
    clientSecret: body.client_secret,
    scopes: body.scopes && [...new Set(body.scopes)],
    groupRoles: body.group_roles,
    jitEnabled: body.jit_enabled,
    defaultRoles: body.default_roles && [...new Set(body.default_roles)],
    allowedEmailDomains: body.allowed_email_domains && [
      ...new Set(body.allowed_email_domains.map((domain) => domain.trim().toLowerCase())),
    ],
    linkByVerifiedEmail: body.link_by_verified_email,
    mfaSatisfiedBy: body.mfa_satisfied_by && {
      amr: body.mfa_satisfied_by.amr ?? [],
      acr: body.mfa_satisfied_by.acr ?? [],
    },
    enabled: body.enabled,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

const claimMappingFor = (kind: UpstreamProviderKind, given: Partial<ClaimMapping>): ClaimMapping => ({
  ...DEFAULT_CLAIM_MAPPING[kind],
  ...given,
});

/** A new provider: the body over the defaults of its kind. */
function newProvider(id: string, body: ProviderBody & { kind: UpstreamProviderKind }): NewUpstreamProvider {
  return {
    id,
    displayName: '',
    issuer: null,
    authorizationEndpoint: null,
    tokenEndpoint: null,
    userinfoEndpoint: null,
    clientId: '',
    clientSecret: null,
    scopes: DEFAULT_SCOPES[body.kind],
    groupRoles: {},
    jitEnabled: false,
    defaultRoles: [],
    allowedEmailDomains: [],
    linkByVerifiedEmail: false,
    mfaSatisfiedBy: { amr: [], acr: [] },
    enabled: true,
    ...changesFrom(body),
    kind: body.kind,
    claimMapping: claimMappingFor(body.kind, body.claim_mapping ?? {}),
  };
}

/** The fields a kind does not use, by domain and body name. */
const OTHER_KIND_FIELDS = {
  oidc: [
    ['authorizationEndpoint', 'authorization_endpoint'],
    ['tokenEndpoint', 'token_endpoint'],
    ['userinfoEndpoint', 'userinfo_endpoint'],
  ],
  oauth2: [['issuer', 'issuer']],
} as const;

/**
 * The provider as the body would leave it. A change of kind drops the other kind's endpoints the body does
 * not set, so switching kind needs only the new kind's fields.
 */
function updatedProvider(existing: UpstreamProvider, body: ProviderBody): NewUpstreamProvider {
  const { hasSecret: _has, createdAt: _c, updatedAt: _u, ...current } = existing;
  const merged: NewUpstreamProvider = { ...current, ...changesFrom(body) };
  if (merged.kind !== existing.kind) {
    for (const [field, key] of OTHER_KIND_FIELDS[merged.kind])
      if (body[key] === undefined) merged[field] = null;
  }
  if (body.claim_mapping) merged.claimMapping = claimMappingFor(merged.kind, body.claim_mapping);
  return merged;
}

async function roleNames(deps: AdminDeps): Promise<Set<string>> {
  return new Set((await deps.roles.listRoles()).map((role) => role.name));
}

const isProduction = (deps: AdminDeps) => deps.config.NODE_ENV === 'production';

async function getProvider(providers: Providers, id: string): Promise<UpstreamProvider> {
  const provider = await providers.find(id);
  if (!provider) throw new NotFoundError('upstream provider', id);
  return provider;
}

const listProviders =
  (deps: AdminDeps): Handler<typeof listProvidersSchema> =>
  async () => ({
    items: (await deps.federation.providers.list()).map((p) => providerView(p, deps.config.PUBLIC_URL)),
  });

const createProvider =
  (deps: AdminDeps, { record }: AdminKit): Handler<typeof createProviderSchema> =>
  async (request, reply) => {
    const provider = newProvider(request.body.id, request.body);
    assertValidProvider(provider, { production: isProduction(deps), roleNames: await roleNames(deps) });
    const created = await deps.federation.providers.create(provider);
    await record(request, {
      action: 'upstream_provider.create',
      targetType: 'upstream_provider',
      targetId: created.id,
      details: { display_name: created.displayName, kind: created.kind, enabled: created.enabled },
    });
    return reply
      .status(201)
      .header('location', `/api/admin/${UPSTREAM_PROVIDERS}/${created.id}`)
      .send(providerView(created, deps.config.PUBLIC_URL));
  };

const getProviderRoute =
  (deps: AdminDeps): Handler<typeof getProviderSchema> =>
  async (request) =>
    providerView(await getProvider(deps.federation.providers, request.params.id), deps.config.PUBLIC_URL);

const updateProvider =
  (deps: AdminDeps, { record }: AdminKit): Handler<typeof updateProviderSchema> =>
  async (request) => {
    const { providers } = deps.federation;
    const existing = await getProvider(providers, request.params.id);
    const { id: _id, ...merged } = updatedProvider(existing, request.body);
    assertValidProvider(
      { id: existing.id, ...merged },
      { production: isProduction(deps), roleNames: await roleNames(deps) },
    );
    const { clientSecret: _secret, ...fields } = merged;
    const secret =
      request.body.client_secret === undefined ? {} : { clientSecret: request.body.client_secret };
    const updated = await providers.update(existing.id, { ...fields, ...secret });
    if (!updated) throw new NotFoundError('upstream provider', existing.id);
    await record(request, {
      action: 'upstream_provider.update',
      targetType: 'upstream_provider',
      targetId: updated.id,
      details: {
        changed: Object.keys(request.body).sort(),
        display_name: updated.displayName,
        enabled: updated.enabled,
      },
    });
    return providerView(updated, deps.config.PUBLIC_URL);
  };

const deleteProvider =
  (deps: AdminDeps, { record }: AdminKit): Handler<typeof deleteProviderSchema> =>
  async (request, reply) => {
    const existing = await getProvider(deps.federation.providers, request.params.id);
    if (!(await deps.federation.providers.remove(existing.id)))
      throw new NotFoundError('upstream provider', existing.id);
    await record(request, {
      action: 'upstream_provider.delete',
      targetType: 'upstream_provider',
      targetId: existing.id,
      details: { display_name: existing.displayName, kind: existing.kind },
    });
    return reply.status(204).send();
  };

export function upstreamProviderRoutes(app: App, deps: AdminDeps, kit: AdminKit): void {
  const path = `/${UPSTREAM_PROVIDERS}`;
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  app.get(path, { onRequest: read, schema: listProvidersSchema }, listProviders(deps));
  app.post(path, { onRequest: write, schema: createProviderSchema }, createProvider(deps, kit));
  app.get(`${path}/:id`, { onRequest: read, schema: getProviderSchema }, getProviderRoute(deps));
  app.patch(`${path}/:id`, { onRequest: write, schema: updateProviderSchema }, updateProvider(deps, kit));
  app.delete(`${path}/:id`, { onRequest: write, schema: deleteProviderSchema }, deleteProvider(deps, kit));
}
