import type { App } from '@platform/http';
import type { Kysely } from 'kysely';
import type { RolesRepository } from '../accounts/roles.repository.ts';
import type { UsersRepository } from '../accounts/users.repository.ts';
import type { OAuthServiceConfig } from '../config.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { InteractionDeps } from '../interactions/interaction.routes.ts';
import { createFlowsRepository } from './flows.repository.ts';
import type { FederationRepositories } from './repositories.ts';
import { upstreamRoutes } from './upstream.routes.ts';
import { createUpstreamClients } from './upstream-client.ts';

// The upstream sign-in wired into the service: its routes beside the interaction pages, over the federation
// repositories, the accounts and roles, and the interaction steps (MFA, audit, metrics) they share.

export interface FederationWiring {
  config: Pick<
    OAuthServiceConfig,
    'PUBLIC_URL' | 'ACCOUNT_CONSOLE_URL' | 'ACCOUNT_REAUTH_SECONDS' | 'NODE_ENV'
  >;
  db: Kysely<OAuthSchema>;
  federation: FederationRepositories;
  users: UsersRepository;
  roles: RolesRepository;
  interactions: InteractionDeps;
}

/** The sign-in page's buttons: the enabled providers, by display name. */
export const upstreamButtons = (federation: FederationRepositories) => async () =>
  (await federation.providers.listEnabled()).map(({ id, displayName }) => ({ id, displayName }));

export function federationRoutes(app: App, wiring: FederationWiring): void {
  const { config, federation, users, roles, interactions } = wiring;
  const upstreamClients = createUpstreamClients({
    redirectUri: (id) => `${config.PUBLIC_URL}/login/upstream/${encodeURIComponent(id)}/callback`,
    clientSecret: (provider) => federation.providers.clientSecret(provider),
    allowHttp: config.NODE_ENV !== 'production',
  });
  upstreamRoutes(app, {
    ...interactions,
    upstreamProviders: federation.providers,
    upstreamClients,
    flows: createFlowsRepository(wiring.db),
    identities: federation.identities,
    accountConsoleUrl: config.ACCOUNT_CONSOLE_URL,
    reauthSeconds: config.ACCOUNT_REAUTH_SECONDS,
    secureCookies: config.PUBLIC_URL.startsWith('https:'),
    resolution: { identities: federation.identities, users, roles },
  });
}
