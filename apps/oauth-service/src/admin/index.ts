import {
  bearerAuth,
  createDpopVerifier,
  createTokenVerifier,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from '@platform/auth';
import type { App } from '@platform/http';
import { grantableScopes } from '../account/account-scope.ts';
import { createRoleHolderQueries } from '../accounts/roles.admin-queries.ts';
import { createClientAdminQueries } from '../clients/clients.admin-queries.ts';
import { createAdminSafeChanges } from './admin-safe-changes.repository.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authorityRoutes } from './authority/authority.routes.ts';
import { clientRoutes } from './clients/clients.routes.ts';
import { createChangeRecorder } from './context.ts';
import type { AdminDeps, AdminKit } from './deps.ts';
import { adminErrorHandler } from './errors.ts';
import { createAdminGuard } from './guard.ts';
import { createSigningKeyTimelineRepository } from './keys/keys.repository.ts';
import { keyRoutes } from './keys/keys.routes.ts';
import { createResourceServerChanges } from './resources/resource-server-changes.ts';
import { resourceRoutes } from './resources/resources.routes.ts';
import { roleRoutes } from './roles/roles.routes.ts';
import {
  createProviderPayloadsRepository,
  type ProviderPayloadsRepository,
} from './sessions/provider-payloads.repository.ts';
import { sessionRoutes } from './sessions/sessions.routes.ts';
import { createStaleGrants } from './sessions/stale-grants.ts';
import { createUserSessions } from './sessions/user-sessions.ts';
import { statsRoutes } from './stats/stats.routes.ts';
import { upstreamProviderRoutes } from './upstream-providers/upstream-providers.routes.ts';
import { userRoutes } from './users/users.routes.ts';

export type { AdminDeps } from './deps.ts';

export const ADMIN_PREFIX = '/api/admin';
export const ADMIN_SCOPES = ['admin:read', 'admin:write'] as const;

/** The access check, the audit recorder and the shared repositories every admin route module uses. */
function createAdminKit(deps: AdminDeps, payloads: ProviderPayloadsRepository): AdminKit {
  const clients = createClientAdminQueries(deps.db);
  return {
    guard: createAdminGuard({
      findUser: (id) => deps.users.findById(id),
      permissionsOf: (id) => deps.roles.permissionsOf(id),
      findClient: (clientId) => clients.findStatus(clientId),
    }),
    record: createChangeRecorder(deps.audit),
    grants: createStaleGrants({
      payloads,
      holders: createRoleHolderQueries(deps.db),
      provider: deps.providers.provider,
      // What a grant may hold is what may be granted, the `account` scope included.
      permissionsOf: grantableScopes({
        permissionsOf: (id) => deps.roles.permissionsOf(id),
        findUser: (id) => deps.users.findById(id),
      }),
    }),
    changes: createAdminSafeChanges(deps.db),
    clients,
  };
}

/**
 * The admin REST API under /api/admin, a resource server of this very service: its tokens are RFC 9068 JWTs
 * issued here for `${PUBLIC_URL}/api/admin`, verified in-process against the current signing keys (no HTTP
 * round trip to our own JWKS). Bearer auth is registered inside the /api/admin scope only, so the provider's
 * endpoints never pay for token verification. RFC 9728 metadata is served at
 * /.well-known/oauth-protected-resource/api/admin.
 */
export async function adminRoutes(app: App, deps: AdminDeps): Promise<void> {
  const issuer = deps.config.PUBLIC_URL;
  const resource = `${issuer}${ADMIN_PREFIX}`;

  // DPoP proofs' htu is PUBLIC_URL's origin plus the request path, never the Host the request came with.
  const dpop = createDpopVerifier({ publicUrl: issuer });
  protectedResourceMetadata(app, {
    resource,
    authorizationServers: [issuer],
    scopesSupported: [...ADMIN_SCOPES],
    resourceName: 'oauth-service admin API',
    dpopSigningAlgValuesSupported: dpop.algorithms,
  });

  const verifier = createTokenVerifier({
    issuer,
    audience: resource,
    keys: () => deps.keyStore.publicJwks(),
    // The key set is one small query away: reload as soon as a token names a key we have not seen, so a key
    // rotated in on any instance is accepted the moment it signs.
    jwksCooldownMs: 0,
  });

  const payloads = createProviderPayloadsRepository(deps.db);
  const kit = createAdminKit(deps, payloads);
  const sessions = createUserSessions({
    payloads,
    provider: deps.providers.provider,
    consents: deps.consents,
  });
  const servers = createResourceServerChanges({
    servers: deps.resources,
    roles: deps.roles,
    clients: deps.clients,
    ownIdentifiers: { [resource]: 'admin API', [`${issuer}/api/account`]: 'account API' },
  });
  const keyTimeline = createSigningKeyTimelineRepository(deps.db);

  await app.register(
    async (admin: App) => {
      await admin.register(bearerAuth, {
        verifier,
        realm: 'oauth-service admin',
        resourceMetadataUrl: protectedResourceMetadataUrl(resource),
        dpop,
      });
      admin.setErrorHandler(adminErrorHandler);
      admin.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });

      userRoutes(admin, deps, kit, sessions);
      sessionRoutes(admin, deps, kit, sessions);
      roleRoutes(admin, deps, kit);
      clientRoutes(admin, deps, kit);
      resourceRoutes(admin, servers, kit);
      keyRoutes(admin, deps, kit, keyTimeline);
      auditRoutes(admin, deps, kit);
      authorityRoutes(admin, deps, kit.clients);
      statsRoutes(admin, deps, kit);
      upstreamProviderRoutes(admin, deps, kit);
    },
    { prefix: ADMIN_PREFIX },
  );
}
