import type { AuditLog } from '../audit/audit-log.ts';
import type { ResourceServersRepository } from '../resources/resource-servers.repository.ts';
import type { TokenExchangeDeps } from './exchange-grant.ts';
import type { TokenExchangePolicies } from './policies.repository.ts';

interface Model {
  tokenExchangePolicies: TokenExchangePolicies;
  resources: ResourceServersRepository;
  users: { findById(id: string): Promise<{ status: string } | undefined> };
  scopesGrantableTo(userId: string): Promise<Set<string>>;
  audit: Pick<AuditLog, 'record'>;
}

/** What the grant reads, from the service's repositories. */
export function tokenExchangeDeps(
  model: Model,
): Omit<TokenExchangeDeps, 'checkAccessToken' | 'accessTokenTtl'> {
  const { resources } = model;
  return {
    policyOf: (clientId) => model.tokenExchangePolicies.get(clientId),
    async resourceServer(value) {
      const byIdentifier = await resources.byIdentifier(value);
      if (byIdentifier) return byIdentifier;
      const id = await resources.idWhere('name', value);
      return id ? resources.find(id) : undefined;
    },
    userActive: async (userId) => (await model.users.findById(userId))?.status === 'active',
    scopesOf: (userId) => model.scopesGrantableTo(userId),
    audit: model.audit,
  };
}
