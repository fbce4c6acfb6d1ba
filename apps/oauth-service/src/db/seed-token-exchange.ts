import type { Kysely } from 'kysely';
import type { ClientsRepository } from '../clients/clients.repository.ts';
import type { OAuthServiceConfig } from '../config.ts';
import { createResourceServersRepository } from '../resources/resource-servers.repository.ts';
import { OFFLINE_ACCESS, TOKEN_EXCHANGE_GRANT } from '../token-exchange/exchange-rules.ts';
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
        // offline_access: a run's refresh token by exchange, so steps after an approval still act for the user.
        scopes: ['test:read', 'test:write', 'kline:read', 'kline:write', OFFLINE_ACCESS],
        delegation: true,
        impersonation: false,
      },
    ],
  ]);
}

const marker = (clientId: string) => `token_exchange_seeded:${clientId}`.slice(0, 64);
const refreshMarker = (clientId: string) => `token_exchange_refresh_seeded:${clientId}`.slice(0, 64);
/** The grant types a seeded policy needs: the exchange, and refresh_token when it allows refresh tokens. */
const grantTypesFor = (policy: TokenExchangePolicy) =>
  policy.scopes.includes(OFFLINE_ACCESS) ? [TOKEN_EXCHANGE_GRANT, 'refresh_token'] : [TOKEN_EXCHANGE_GRANT];

async function addGrantTypes(clients: ClientsRepository, clientId: string, needed: string[]): Promise<void> {
  const client = await clients.get(clientId);
  const missing = needed.filter((g) => !client.grant_types.includes(g));
  if (missing.length) await clients.update(clientId, { grantTypes: [...client.grant_types, ...missing] });
}

/**
 * A policy seeded before refresh tokens by exchange existed gains offline_access (and its client the
 * refresh_token grant type) once per database; a policy an administrator removed stays removed.
 */
async function seedExchangeRefresh(
  db: Kysely<OAuthSchema>,
  clients: ClientsRepository,
  clientId: string,
  seeded: TokenExchangePolicy,
  created: string[],
): Promise<void> {
  if (
    !seeded.scopes.includes(OFFLINE_ACCESS) ||
    (await getSetting(db, refreshMarker(clientId))) !== undefined
  )
    return;
  const policies = createTokenExchangePolicies(db);
  const current = await policies.get(clientId);
  if (current && !current.scopes.includes(OFFLINE_ACCESS)) {
    await policies.set(clientId, { ...current, scopes: [...current.scopes, OFFLINE_ACCESS] });
    await addGrantTypes(clients, clientId, ['refresh_token']);
    created.push(`refresh tokens by exchange for client ${clientId}`);
  }
  await setSettingOnce(db, refreshMarker(clientId), OFFLINE_ACCESS);
}

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
    if ((await getSetting(db, marker(clientId))) !== undefined) {
      await seedExchangeRefresh(db, clients, clientId, policy, created);
      continue;
    }
    assertValidPolicy(policy, servers);
    await addGrantTypes(clients, clientId, grantTypesFor(policy));
    await policies.set(clientId, policy);
    await setSettingOnce(db, refreshMarker(clientId), OFFLINE_ACCESS);
    await setSettingOnce(db, marker(clientId), policy.audiences.join(' '));
    created.push(`token exchange policy of client ${clientId}`);
  }
}
