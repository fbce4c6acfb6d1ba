import type { AdminApi } from './client.ts';
import type { ResourceServer } from './types.ts';

/** A resource server a token exchange policy may name: its identifier (the token audience), name and scopes. */
export interface ExchangeAudience {
  identifier: string;
  name: string;
  scopes: string[];
}

/** The resource servers a token exchange policy may name, with their scopes. */
export async function exchangeAudiences(api: AdminApi): Promise<ExchangeAudience[]> {
  const servers = await api.get<{ items: ResourceServer[] }>('/resource-servers');
  return servers.items.map((server) => ({
    identifier: server.identifier,
    name: server.name,
    scopes: server.scopes.map((scope) => scope.name),
  }));
}
