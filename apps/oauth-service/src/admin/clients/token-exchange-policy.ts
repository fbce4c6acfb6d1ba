import type { ResourceServersRepository } from '../../resources/resource-servers.repository.ts';
import { assertValidPolicy, type TokenExchangePolicy } from '../../token-exchange/policy.ts';

/**
 * The policy a create or update request sets: undefined when it names none, null to remove it. Checked
 * against the resource servers before anything changes, so a bad policy leaves the client as it was.
 */
export async function requestedPolicy(
  resources: Pick<ResourceServersRepository, 'list'>,
  value: TokenExchangePolicy | null | undefined,
): Promise<TokenExchangePolicy | null | undefined> {
  if (value === undefined || value === null) return value;
  const policy: TokenExchangePolicy = {
    audiences: [...new Set(value.audiences)],
    scopes: [...new Set(value.scopes)],
    delegation: value.delegation,
    impersonation: value.impersonation,
  };
  assertValidPolicy(policy, await resources.list());
  return policy;
}
