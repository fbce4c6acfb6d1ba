import { bodyIssues } from '../body-issues.ts';
import { OFFLINE_ACCESS } from './exchange-rules.ts';

/**
 * What a client may do with RFC 8693 token exchange. Nothing is allowed by default: a client without a policy
 * (or without the grant type) is refused. `scopes` bound what the client may ask for; the user's own
 * permissions bound it again at every exchange (see exchange-rules.ts).
 */
export interface TokenExchangePolicy {
  /** Resource server identifiers (RFC 8707) the client may ask tokens for. */
  audiences: string[];
  /**
   * Scopes the client may ask for; each belongs to one of `audiences`, except `offline_access`: the client
   * may exchange a user's token for a refresh token (refresh-exchange.ts).
   */
  scopes: string[];
  /** The new token names the client as the actor (`act`); `sub` stays the user. */
  delegation: boolean;
  /** The client may ask for a token without `act` (exchange_mode=impersonation). */
  impersonation: boolean;
}

/** A resource server as the policy rules need it. */
export interface PolicyAudience {
  identifier: string;
  scopes: ReadonlyArray<{ name: string }>;
}

/**
 * Checks a policy against the resource servers that exist; throws a 400 problem naming each faulty field
 * under `pointer` (the policy's place in the request body).
 */
export function assertValidPolicy(
  policy: TokenExchangePolicy,
  servers: readonly PolicyAudience[],
  pointer = '/token_exchange',
): void {
  const { add, assertNone } = bodyIssues(pointer);
  const byIdentifier = new Map(servers.map((server) => [server.identifier, server]));
  if (policy.audiences.length === 0) add('/audiences', 'must name at least one resource server');
  policy.audiences.forEach((audience, i) => {
    if (!byIdentifier.has(audience)) add(`/audiences/${i}`, `${audience} is not a resource server`);
  });
  const offered = new Set(
    policy.audiences.flatMap((audience) => byIdentifier.get(audience)?.scopes.map((s) => s.name) ?? []),
  );
  if (policy.scopes.length === 0) add('/scopes', 'must name at least one scope');
  policy.scopes.forEach((scope, i) => {
    if (!offered.has(scope) && scope !== OFFLINE_ACCESS)
      add(`/scopes/${i}`, `${scope} is not a scope of the policy's audiences`);
  });
  if (!policy.delegation && !policy.impersonation)
    add('', 'must allow delegation, impersonation or both (remove the policy with null instead)');
  assertNone();
}
