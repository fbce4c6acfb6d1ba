import {
  bearerAuth,
  createDpopVerifier,
  createTokenVerifier,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from '@platform/auth';
import type { App } from '@platform/http';
import { createProviderPayloadsRepository } from '../admin/sessions/provider-payloads.repository.ts';
import { createUserSessions } from '../admin/sessions/user-sessions.ts';
import { createClientAdminQueries } from '../clients/clients.admin-queries.ts';
import { createAccountRepository } from './account.repository.ts';
import { ACCOUNT_SCOPE } from './account-scope.ts';
import { applicationRoutes } from './applications.routes.ts';
import { createAccountRecorder } from './context.ts';
import type { AccountDeps, AccountKit, AccountRouteModule } from './deps.ts';
import { accountErrorHandler } from './errors.ts';
import { eventRoutes } from './events.routes.ts';
import { factorRoutes } from './factors.routes.ts';
import { createAccountGuard } from './guard.ts';
import { linkedIdentityRoutes } from './linked-identities.routes.ts';
import { passkeyRoutes } from './passkeys.routes.ts';
import { passwordRoutes } from './password.routes.ts';
import { profileRoutes } from './profile.routes.ts';
import { requireRecentSignIn } from './recent-sign-in.ts';
import { sessionRoutes } from './sessions.routes.ts';

export type { AccountDeps, AccountRouteModule } from './deps.ts';

export const ACCOUNT_PREFIX = '/api/account';

/** Every route module of the account API; a new one (a factor's routes) is added here and nowhere else. */
const ROUTE_MODULES: AccountRouteModule[] = [
  profileRoutes,
  passwordRoutes,
  sessionRoutes,
  applicationRoutes,
  eventRoutes,
  factorRoutes,
  passkeyRoutes,
  linkedIdentityRoutes,
];

function createAccountKit(deps: AccountDeps): AccountKit {
  const clients = createClientAdminQueries(deps.db);
  const payloads = createProviderPayloadsRepository(deps.db);
  const guard = createAccountGuard({
    findUser: (id) => deps.users.findById(id),
    findClient: (clientId) => clients.findStatus(clientId),
  });
  return {
    guard,
    sensitive: [...guard, requireRecentSignIn(deps.config.ACCOUNT_REAUTH_SECONDS)],
    record: createAccountRecorder(deps.audit),
    sessions: createUserSessions({ payloads, provider: deps.providers.provider, consents: deps.consents }),
    payloads,
    repository: createAccountRepository(deps.db),
  };
}

/**
 * The account API under /api/account: every user's own account (profile, password, sessions, applications,
 * security events), a resource server of this service like the admin API. Its tokens are RFC 9068 JWTs
 * issued here for `${PUBLIC_URL}/api/account` with the `account` scope, which every active user may be
 * granted (account-scope.ts). RFC 9728 metadata is served at /.well-known/oauth-protected-resource/api/account;
 * its OpenAPI document at /api/account/openapi.json.
 */
export async function accountRoutes(app: App, deps: AccountDeps): Promise<void> {
  const issuer = deps.config.PUBLIC_URL;
  const resource = `${issuer}${ACCOUNT_PREFIX}`;
  const dpop = createDpopVerifier({ publicUrl: issuer });
  protectedResourceMetadata(app, {
    resource,
    authorizationServers: [issuer],
    scopesSupported: [ACCOUNT_SCOPE],
    resourceName: 'oauth-service account API',
    dpopSigningAlgValuesSupported: dpop.algorithms,
  });
  const verifier = createTokenVerifier({
    issuer,
    audience: resource,
    keys: () => deps.keyStore.publicJwks(),
    jwksCooldownMs: 0,
  });
  const kit = createAccountKit(deps);

  await app.register(
    async (account: App) => {
      await account.register(bearerAuth, {
        verifier,
        realm: 'oauth-service account',
        resourceMetadataUrl: protectedResourceMetadataUrl(resource),
        dpop,
      });
      account.setErrorHandler(accountErrorHandler);
      account.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      for (const routes of ROUTE_MODULES) routes(account, deps, kit);
    },
    { prefix: ACCOUNT_PREFIX },
  );
}
