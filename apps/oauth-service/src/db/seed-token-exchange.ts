import type { Kysely } from 'kysely';
import type { ClientsRepository } from '../clients/clients.repository.ts';
import type { OAuthServiceConfig } from '../config.ts';
import { createResourceServersRepository } from '../resources/resource-servers.repository.ts';
import { TOKEN_EXCHANGE_GRANT } from '../token-exchange/exchange-rules.ts';
import { createTokenExchangePolicies } from '../token-exchange/policies.repository.ts';
import { assertValidPolicy, type TokenExchangePolicy } from '../token-exchange/policy.ts';
import type { OAuthSchema } from './schema.ts';
import { CLIENT_IDS } from './seed-data.ts';
import { getSetting, setSettingOnce } from './settings.ts';

type SeedConfig = Pick<OAuthServiceConfig, 'PUBLIC_URL'>;

/**
 * The token exchange policies (RFC 8693) of the seeded clients, by client id. Nothing is allowed by default:
 * only a client listed here may exchange tokens after a seed. A client's entry names the audiences by their
 * path under PUBLIC_URL (as seed-data.ts does); flow-service's, for its http steps acting for their user,
 * belongs here.
 */
export function seededExchangePolicies(config: SeedConfig): Map<string, TokenExchangePolicy> {
  return new Map([
    // flow-service's http steps act for the user who started their run (docs/adr/0036): delegation only,
    // for the resource servers its steps call with a token, with the scopes they need there.
    [
      CLIENT_IDS.flowService,
      {
        audiences: [`${config.PUBLIC_URL}/test`, `${config.PUBLIC_URL}/kline`],
        scopes: ['test:read', 'test:write', 'kline:read', 'kline:write'],
        delegation: true,
        impersonation: false,
      },
    ],
  ]);
}

const marker = (clientId: string) => `token_exchange_seeded:${clientId}`.slice(0, 64);

/**
 * Gives each seeded client its policy and the grant type, once per database (a settings marker per client):
 * an administrator who later changes or removes the policy keeps that choice.
 */
export async function seedExchangePolicies(
  db: Kysely<OAuthSchema>,
  clients: ClientsRepository,
  config: SeedConfig,
  created: string[],
): Promise<void> {
  const policies = createTokenExchangePolicies(db);
  const servers = await createResourceServersRepository(db).list();
  for (const [clientId, policy] of seededExchangePolicies(config)) {
    if ((await getSetting(db, marker(clientId))) !== undefined) continue;
    assertValidPolicy(policy, servers);
    const client = await clients.get(clientId);
    if (!client.grant_types.includes(TOKEN_EXCHANGE_GRANT))
      await clients.update(clientId, { grantTypes: [...client.grant_types, TOKEN_EXCHANGE_GRANT] });
    await policies.set(clientId, policy);
    await setSettingOnce(db, marker(clientId), policy.audiences.join(' '));
    created.push(`token exchange policy of client ${clientId}`);
  }
}
