import type { AdminApi } from './client.ts';
import type { ResourceServer } from './types.ts';

const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/** Every scope a client can be allowed: OpenID scopes and those of every resource server. */
export async function knownScopes(api: AdminApi): Promise<string[]> {
  const servers = await api.get<{ items: ResourceServer[] }>('/resource-servers');
  return [...OIDC_SCOPES, ...servers.items.flatMap((s) => s.scopes.map((scope) => scope.name))];
}
