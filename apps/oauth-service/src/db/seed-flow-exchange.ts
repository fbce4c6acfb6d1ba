import type { Kysely } from 'kysely';
import type { createClientsRepository } from '../clients/clients.repository.ts';
import { TOKEN_EXCHANGE_GRANT } from '../token-exchange/exchange-rules.ts';
import { createTokenExchangePolicies } from '../token-exchange/policies.repository.ts';
import type { TokenExchangePolicy } from '../token-exchange/policy.ts';
import type { OAuthSchema } from './schema.ts';
import { CLIENT_IDS } from './seed-data.ts';
import { getSetting, setSettingOnce } from './settings.ts';

/** The flow-service client got its exchange grant and policy (once, so an administrator's later choice stands). */
const FLOW_EXCHANGE_SEEDED = 'seeded_flow_service_exchange';

// flow-service acts for the user who started a run by exchanging that user's token (RFC 8693 delegation,
// docs/adr/0036-flow-acts-for-its-user.md): its client needs the grant type and a policy naming the
// resource servers its http steps call with a token, and the scopes they need there.

/** flow-service's token exchange policy: delegation only, for test-service and kline-service. */
export function flowServiceExchangePolicy(publicUrl: string): TokenExchangePolicy {
  return {
    audiences: [`${publicUrl}/test`, `${publicUrl}/kline`],
    scopes: ['test:read', 'test:write', 'kline:read', 'kline:write'],
    delegation: true,
    impersonation: false,
  };
}

/**
 * Gives the seeded flow-service client the token-exchange grant type and its policy, once per database (a
 * database seeded before token exchange existed, too): an administrator's later change to either, removing
 * the policy included, stays.
 */
export async function seedFlowServiceExchange(
  db: Kysely<OAuthSchema>,
  clients: ReturnType<typeof createClientsRepository>,
  publicUrl: string,
): Promise<string | null> {
  const client = await db
    .selectFrom('clients')
    .select('grant_types')
    .where('client_id', '=', CLIENT_IDS.flowService)
    .executeTakeFirst();
  if (!client || (await getSetting(db, FLOW_EXCHANGE_SEEDED)) !== undefined) return null;
  const policies = createTokenExchangePolicies(db);
  const grantTypes = JSON.parse(client.grant_types) as string[];
  if (!grantTypes.includes(TOKEN_EXCHANGE_GRANT))
    await clients.update(CLIENT_IDS.flowService, { grantTypes: [...grantTypes, TOKEN_EXCHANGE_GRANT] });
  if (!(await policies.get(CLIENT_IDS.flowService)))
    await policies.set(CLIENT_IDS.flowService, flowServiceExchangePolicy(publicUrl));
  await setSettingOnce(db, FLOW_EXCHANGE_SEEDED, publicUrl);
  return `token exchange policy of client ${CLIENT_IDS.flowService}`;
}
