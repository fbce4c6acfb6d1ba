import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { buildTokenResponse } from 'oidc-provider/lib/helpers/grant_response.js';
import type { ActiveAccessToken } from '../oidc/access-token-check.ts';
import type { ResourceServer } from '../resources/resource-servers.repository.ts';
import {
  EXCHANGE_GTY,
  type ExchangeMode,
  type ExchangeParams,
  OFFLINE_ACCESS,
  REFRESH_TOKEN_TYPE,
  requestedTargets,
} from './exchange-rules.ts';
import type { TokenExchangePolicy } from './policy.ts';

// A token exchange that asks for a refresh token (requested_token_type refresh_token): a client that acts
// for a user later than the user's access token lives (flow-service's runs that wait for an approval) gets
// a refresh token of its own, under a new grant of that client for the user, holding per audience what the
// policy, the audience and the user's roles allow now. Each refresh issues an access token for one
// audience that still names the client in `act` and is capped by the user's roles at that moment; the
// refresh token does not rotate (a confidential client authenticates every refresh, and steps of one run
// may refresh at once). Revoking the grant (sign-out everywhere, a lost role, the client's own revocation
// at the end of its work) ends it. See docs/adr/0035-token-exchange.md.

export interface RefreshExchangeDeps {
  resourceServer(identifierOrName: string): Promise<ResourceServer | undefined>;
  scopesOf(userId: string): Promise<Set<string>>;
}

type Subject = ActiveAccessToken & { accountId: string };

/** Whether a refresh or access token came from a token exchange (refreshes keep the `gty`). */
export function fromExchange(token: { gty?: unknown } | undefined): boolean {
  return typeof token?.gty === 'string' && token.gty.split(' ')[0] === EXCHANGE_GTY;
}

/** The refresh token's audiences: those the request names, or every one of the policy; each in the policy. */
async function refreshAudiences(
  params: ExchangeParams,
  policy: TokenExchangePolicy,
  deps: RefreshExchangeDeps,
) {
  const named = requestedTargets(params);
  const servers = await Promise.all(
    (named.length ? named : policy.audiences).map((value) => deps.resourceServer(value)),
  );
  if (servers.some((server) => server === undefined))
    throw new errors.InvalidTarget('the requested audience is not a resource server');
  if (servers.some((server) => !policy.audiences.includes(server!.identifier)))
    throw new errors.InvalidTarget('this client may not exchange tokens for the requested audience');
  return servers as ResourceServer[];
}

/**
 * Per audience, the scopes the refresh token holds: the requested ones (or all) within the audience, the
 * policy and the user's roles now. A requested scope none of them allows is `invalid_scope`.
 */
function scopesPerAudience(
  requested: string | undefined,
  servers: ResourceServer[],
  policy: TokenExchangePolicy,
  userScopes: Set<string>,
): Map<string, string[]> {
  const asked = (requested ?? '').split(' ').filter((s) => s && s !== OFFLINE_ACCESS);
  const perAudience = new Map<string, string[]>();
  for (const server of servers) {
    const offered = server.scopes.map((s) => s.name);
    const allowed = offered.filter(
      (s) => policy.scopes.includes(s) && userScopes.has(s) && (asked.length === 0 || asked.includes(s)),
    );
    if (allowed.length) perAudience.set(server.identifier, allowed);
  }
  const held = new Set([...perAudience.values()].flat());
  const missing = asked.find((s) => !held.has(s));
  if (missing)
    throw new errors.InvalidScope(`${missing} is beyond this exchange (audience, policy or user)`, missing);
  if (perAudience.size === 0)
    throw new errors.InvalidScope('no scope of the audiences is allowed for this exchange', '');
  return perAudience;
}

/** Refuses what a refresh token by exchange cannot be: without the policy's leave, impersonated, or DPoP-bound. */
function assertRefreshAllowed(policy: TokenExchangePolicy, mode: ExchangeMode, subject: Subject): void {
  if (!policy.scopes.includes(OFFLINE_ACCESS))
    throw new errors.UnauthorizedClient('this client may not exchange tokens for refresh tokens');
  if (mode !== 'delegation') throw new errors.InvalidRequest('a refresh token is issued by delegation only');
  // A delegated subject's actors would be lost on every refresh; a DPoP-bound one's key is not the client's.
  if (subject.claims.act !== undefined)
    throw new errors.InvalidRequest('a delegated subject_token is not exchanged for a refresh token');
  if (subject.jkt)
    throw new errors.InvalidRequest('a DPoP-bound subject_token is not exchanged for a refresh token');
}

/**
 * Issues the refresh token (RFC 8693 §2.2.1: in `access_token`, `issued_token_type` refresh_token,
 * `token_type` N_A). Returns the audiences and scopes it holds, for the audit record.
 */
export async function exchangeForRefreshToken(
  ctx: KoaContextWithOIDC,
  deps: RefreshExchangeDeps,
  request: { policy: TokenExchangePolicy; mode: ExchangeMode; subject: Subject },
): Promise<{ audience: string; scope: string }> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client!;
  const params = ctx.oidc.params as ExchangeParams;
  const { policy, mode, subject } = request;
  assertRefreshAllowed(policy, mode, subject);
  const servers = await refreshAudiences(params, policy, deps);
  const perAudience = scopesPerAudience(
    params.scope,
    servers,
    policy,
    await deps.scopesOf(subject.accountId),
  );
  const grantId = await saveGrant(provider, subject.accountId, client.clientId, perAudience);
  const scope = [...new Set([...perAudience.values()].flat())].join(' ');
  const token = new provider.RefreshToken({
    accountId: subject.accountId,
    client,
    grantId,
    gty: EXCHANGE_GTY,
    scope,
    resource: [...perAudience.keys()],
  } as never);
  ctx.oidc.entity('RefreshToken', token);
  const value = await token.save();
  ctx.body = buildTokenResponse(provider, {
    accessToken: value,
    expiresIn: token.expiration,
    issuedTokenType: REFRESH_TOKEN_TYPE,
    scope,
    tokenType: 'N_A',
  });
  return { audience: [...perAudience.keys()].join(' '), scope };
}

/** A grant of the client for the user, holding the scopes per audience: what its refreshes may issue. */
async function saveGrant(
  provider: Provider,
  accountId: string,
  clientId: string,
  perAudience: Map<string, string[]>,
): Promise<string> {
  const grant = new provider.Grant({ accountId, clientId });
  for (const [audience, scopes] of perAudience) grant.addResourceScope(audience, scopes.join(' '));
  return grant.save();
}

/**
 * The scopes a refresh of an exchanged refresh token may put in an access token for `offered`: those the
 * user's roles still grant. A requested scope the user lost is `invalid_scope`, and so is nothing left.
 */
export async function capRefreshToUser(
  ctx: KoaContextWithOIDC,
  offered: string[],
  scopesOf: (userId: string) => Promise<Set<string>>,
): Promise<string[]> {
  const token = ctx.oidc.entities.RefreshToken as { accountId?: string; gty?: string } | undefined;
  if (ctx.oidc.params?.grant_type !== 'refresh_token' || !fromExchange(token) || !token?.accountId)
    return offered;
  const userScopes = await scopesOf(token.accountId);
  const asked = String(ctx.oidc.params.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const lost = asked.find((s) => offered.includes(s) && !userScopes.has(s));
  if (lost) throw new errors.InvalidScope(`the user no longer holds ${lost}`, lost);
  const capped = offered.filter((s) => userScopes.has(s));
  if (capped.length === 0)
    throw new errors.InvalidScope('the user no longer holds a scope of this audience', '');
  return capped;
}
