import { errors } from 'oidc-provider';
import type { TokenExchangePolicy } from './policy.ts';

// The decisions of a token exchange (RFC 8693) that need no provider: which audience, which mode, which
// scopes, and the `act` claim. Each refusal is the error RFC 8693 §2.2.2 and RFC 6749 §5.2 name for it.

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const REFRESH_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:refresh_token';
/** In a policy's scopes: the client may exchange a user's token for a refresh token (refresh-exchange.ts). */
export const OFFLINE_ACCESS = 'offline_access';
/** The `gty` of every token a token exchange issues, kept by its refreshes (`token_exchange refresh_token`). */
export const EXCHANGE_GTY = 'token_exchange';
/** The extension parameter that asks for impersonation; without it an exchange is a delegation. */
export const EXCHANGE_MODE_PARAM = 'exchange_mode';

export type ExchangeMode = 'delegation' | 'impersonation';

export interface ExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  actor_token?: string;
  actor_token_type?: string;
  resource?: string | string[];
  audience?: string | string[];
  scope?: string;
  exchange_mode?: string;
}

/** Every parameter the grant reads; oidc-provider drops any other. */
export const EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'actor_token',
  'actor_token_type',
  'resource',
  'audience',
  'scope',
  EXCHANGE_MODE_PARAM,
] as const;

const list = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const REQUESTABLE = new Set([ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE]);

/** The request's own shape: the subject token and its type, no actor token, an access or refresh token asked for. */
export function assertWellFormed(params: ExchangeParams): void {
  if (!params.subject_token) throw new errors.InvalidRequest('missing required parameter subject_token');
  if (!params.subject_token_type)
    throw new errors.InvalidRequest('missing required parameter subject_token_type');
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
    throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  if (params.requested_token_type !== undefined && !REQUESTABLE.has(params.requested_token_type))
    throw new errors.InvalidRequest(
      `requested_token_type must be ${ACCESS_TOKEN_TYPE} or ${REFRESH_TOKEN_TYPE}`,
    );
  // The authenticated client is the actor: a second token naming it would add nothing to check.
  if (params.actor_token !== undefined || params.actor_token_type !== undefined)
    throw new errors.InvalidRequest('actor_token is not accepted: the authenticated client is the actor');
}

/** Delegation unless impersonation is asked for; the policy must allow the mode. */
export function exchangeMode(params: ExchangeParams, policy: TokenExchangePolicy): ExchangeMode {
  const asked = params.exchange_mode ?? 'delegation';
  if (asked !== 'delegation' && asked !== 'impersonation')
    throw new errors.InvalidRequest(`${EXCHANGE_MODE_PARAM} must be delegation or impersonation`);
  if (!policy[asked]) throw new errors.UnauthorizedClient(`this client may not exchange tokens by ${asked}`);
  return asked;
}

/** The audience values (`resource` and `audience`) of the request, each once. */
export function requestedTargets(params: ExchangeParams): string[] {
  return [...new Set([...list(params.resource), ...list(params.audience)])];
}

/** The one resource server the new token is for: named by the request and allowed by the policy. */
export function assertTargetAllowed(identifiers: readonly string[], policy: TokenExchangePolicy): string {
  const distinct = [...new Set(identifiers)];
  if (distinct.length === 0)
    throw new errors.InvalidTarget('name the target resource server with resource or audience');
  if (distinct.length > 1) throw new errors.InvalidTarget('one target resource server per exchange');
  const [identifier] = distinct as [string];
  if (!policy.audiences.includes(identifier))
    throw new errors.InvalidTarget('this client may not exchange tokens for the requested audience');
  return identifier;
}

export interface ScopeBounds {
  /** The scopes the target resource server offers. */
  audience: ReadonlySet<string>;
  /** The client's policy. */
  policy: ReadonlySet<string>;
  /** What the subject's user may be granted now (their roles). */
  subject: ReadonlySet<string>;
}

/**
 * The scopes of the new token: the requested ones, each within the audience, the policy and the user's own;
 * without `scope`, every scope all three allow.
 */
export function grantedScopes(requested: string | undefined, bounds: ScopeBounds): string[] {
  const asked = (requested ?? '').split(' ').filter(Boolean);
  if (asked.length === 0) {
    const all = [...bounds.audience].filter((s) => bounds.policy.has(s) && bounds.subject.has(s));
    if (all.length === 0)
      throw new errors.InvalidScope('no scope of the audience is allowed for this exchange', '');
    return all;
  }
  for (const scope of asked) {
    if (!bounds.audience.has(scope))
      throw new errors.InvalidScope(`${scope} is not a scope of the requested audience`, scope);
    if (!bounds.policy.has(scope))
      throw new errors.InvalidScope(`${scope} is beyond this client's token exchange policy`, scope);
    if (!bounds.subject.has(scope))
      throw new errors.InvalidScope(`${scope} is beyond the subject's scopes`, scope);
  }
  return [...new Set(asked)];
}

/**
 * The `act` claim of a delegated token (RFC 8693 §4.1): the acting client, nesting the subject token's own
 * `act` when it was itself delegated. None for impersonation.
 */
export function actClaim(
  mode: ExchangeMode,
  clientId: string,
  subjectClaims: Record<string, unknown>,
): { act: Record<string, unknown> } | undefined {
  if (mode === 'impersonation') return undefined;
  const prior = subjectClaims.act;
  return {
    act: {
      sub: clientId,
      ...(prior && typeof prior === 'object' && !Array.isArray(prior) ? { act: prior } : {}),
    },
  };
}
