/// <reference path="./oidc-provider-internals.d.ts" />
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { applyDpopBinding } from 'oidc-provider/lib/helpers/grant_common.js';
import { buildTokenResponse } from 'oidc-provider/lib/helpers/grant_response.js';
import { checkDpopRequired } from 'oidc-provider/lib/helpers/sender_constraints.js';
import validateDpop from 'oidc-provider/lib/helpers/validate_dpop.js';
import type { AuditLog } from '../audit/audit-log.ts';
import {
  type ActiveAccessToken,
  type checkAccessToken,
  GRANT_CLIENT_CLAIM,
} from '../oidc/access-token-check.ts';
import type { ResourceServer } from '../resources/resource-servers.repository.ts';
import {
  ACCESS_TOKEN_TYPE,
  actClaim,
  assertTargetAllowed,
  assertWellFormed,
  EXCHANGE_GTY,
  EXCHANGE_PARAMS,
  type ExchangeMode,
  type ExchangeParams,
  exchangeMode,
  grantedScopes,
  REFRESH_TOKEN_TYPE,
  requestedTargets,
  TOKEN_EXCHANGE_GRANT,
} from './exchange-rules.ts';
import type { TokenExchangePolicy } from './policy.ts';
import { exchangeForRefreshToken, fromExchange } from './refresh-exchange.ts';
import { unauthorizedClientForGrantType } from './unauthorized-client.ts';

// RFC 8693 token exchange on oidc-provider's registerGrantType: a client trades a user's access token issued
// here for an access token for another resource server, within its policy and the user's own scopes. See
// docs/adr/0035-token-exchange.md.

export interface TokenExchangeDeps {
  /** The client's policy; null when it may exchange nothing. */
  policyOf(clientId: string): Promise<TokenExchangePolicy | null>;
  /** A resource server by identifier, or by name (RFC 8693 `audience` may be either). */
  resourceServer(identifierOrName: string): Promise<ResourceServer | undefined>;
  /** Whether the user may still sign in; a disabled user's tokens are not exchanged. */
  userActive(userId: string): Promise<boolean>;
  /** The scopes the user may be granted now (their roles). */
  scopesOf(userId: string): Promise<Set<string>>;
  checkAccessToken: typeof checkAccessToken;
  /** Seconds, for a resource server without its own access token lifetime. */
  accessTokenTtl: number;
  audit: Pick<AuditLog, 'record'>;
}

type Subject = ActiveAccessToken & { accountId: string };

/** The claims each exchanged token adds, read back by extraTokenClaims while the token is signed. */
const exchanged = new WeakMap<object, Record<string, unknown>>();

/**
 * The claims token exchange adds to an access token, for extraTokenClaims: `act` of a delegation, and the
 * client the shared grant belongs to (GRANT_CLIENT_CLAIM), so the token's liveness follows that grant.
 */
export function exchangedTokenClaims(token: object): Record<string, unknown> {
  const claims = exchanged.get(token);
  if (claims) return claims;
  // An access token refreshed from an exchanged refresh token: issued by delegation only, to its actor.
  const refreshed = token as { kind?: string; gty?: string; clientId?: string };
  if (refreshed.kind === 'AccessToken' && fromExchange(refreshed) && refreshed.clientId)
    return { act: { sub: refreshed.clientId } };
  return {};
}

/** The live subject token of a user who may still sign in; anything else is `invalid_request` (§2.2.2). */
async function activeSubject(provider: Provider, token: string, deps: TokenExchangeDeps): Promise<Subject> {
  const subject = await deps.checkAccessToken(provider, token);
  if (!subject.active) throw new errors.InvalidRequest('subject_token is not an active access token');
  if (!subject.accountId) throw new errors.InvalidRequest('subject_token does not represent a user');
  if (!(await deps.userActive(subject.accountId)))
    throw new errors.InvalidRequest('subject_token is not an active access token');
  return subject as Subject;
}

/** The resource server the request names, within the client's policy. */
async function targetServer(
  params: ExchangeParams,
  policy: TokenExchangePolicy,
  deps: TokenExchangeDeps,
): Promise<ResourceServer> {
  const named = requestedTargets(params);
  const servers = await Promise.all(named.map((value) => deps.resourceServer(value)));
  if (servers.some((server) => server === undefined))
    throw new errors.InvalidTarget('the requested audience is not a resource server');
  const identifier = assertTargetAllowed(
    servers.map((server) => server!.identifier),
    policy,
  );
  return servers.find((server) => server!.identifier === identifier)!;
}

/** RFC 8707 resource server info for oidc-provider: a JWT for `server`, living no longer than the subject. */
function resourceServerInfo(server: ResourceServer, subject: Subject, defaultTtl: number) {
  const left = subject.expiresAt - Math.floor(Date.now() / 1000);
  return {
    identifier: () => server.identifier,
    audience: server.identifier,
    scope: server.scopes.map((s) => s.name).join(' '),
    accessTokenTTL: Math.max(1, Math.min(server.accessTokenTtl ?? defaultTtl, left)),
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'ES256' } },
  };
}

interface Outcome {
  mode?: ExchangeMode;
  /** The token type asked for, when it is not an access token. */
  issued?: string;
  audience?: string;
  scope?: string;
  subject?: Subject;
}

/** Issues the new token; `outcome` collects what the audit record names, as far as the request got. */
async function exchange(ctx: KoaContextWithOIDC, deps: TokenExchangeDeps, outcome: Outcome): Promise<void> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client!;
  const params = ctx.oidc.params as ExchangeParams;
  const policy = await deps.policyOf(client.clientId);
  if (!policy) throw new errors.UnauthorizedClient('this client has no token exchange policy');
  assertWellFormed(params);
  outcome.mode = exchangeMode(params, policy);
  if (params.requested_token_type === REFRESH_TOKEN_TYPE) {
    outcome.issued = REFRESH_TOKEN_TYPE;
    outcome.subject = await activeSubject(provider, params.subject_token!, deps);
    Object.assign(
      outcome,
      await exchangeForRefreshToken(ctx, deps, { policy, mode: outcome.mode, subject: outcome.subject }),
    );
    return;
  }
  const server = await targetServer(params, policy, deps);
  outcome.audience = server.identifier;
  const subject = await activeSubject(provider, params.subject_token!, deps);
  outcome.subject = subject;
  // Impersonating a delegated token would drop the actors it already names.
  if (outcome.mode === 'impersonation' && subject.claims.act !== undefined)
    throw new errors.InvalidRequest('a delegated subject_token cannot be exchanged by impersonation');
  const scopes = grantedScopes(params.scope, {
    audience: new Set(server.scopes.map((s) => s.name)),
    policy: new Set(policy.scopes),
    subject: await deps.scopesOf(subject.accountId),
  });
  outcome.scope = scopes.join(' ');

  // A sender-constrained subject token stays constrained: the new token is bound to the exchanging client's
  // DPoP key, so the request must prove one.
  const dPoP = await validateDpop(provider, ctx);
  if (subject.jkt && !dPoP)
    throw new errors.InvalidRequest('a DPoP-bound subject_token is exchanged only with a DPoP proof');
  const token = new provider.AccessToken({
    accountId: subject.accountId,
    client,
    gty: EXCHANGE_GTY,
    scope: outcome.scope,
    // Shares the subject's grant: revoking it (sign-out everywhere, a revoked application) ends this one too.
    ...(subject.grantId ? { grantId: subject.grantId } : {}),
  } as never);
  token.resourceServer = resourceServerInfo(server, subject, deps.accessTokenTtl) as never;
  await applyDpopBinding(provider, ctx, dPoP, token);
  checkDpopRequired(provider, ctx, dPoP);
  const grantClient = subject.claims[GRANT_CLIENT_CLAIM] ?? subject.clientId;
  exchanged.set(token, {
    ...actClaim(outcome.mode, client.clientId, subject.claims),
    ...(subject.grantId ? { [GRANT_CLIENT_CLAIM]: grantClient } : {}),
  });
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  ctx.body = buildTokenResponse(provider, {
    accessToken: value,
    expiresIn: token.expiration,
    issuedTokenType: ACCESS_TOKEN_TYPE,
    scope: outcome.scope,
    tokenType: token.tokenType,
  });
}

/** Every exchange, granted or refused, in the audit log: who acted for whom, never a token. */
function auditExchange(
  ctx: KoaContextWithOIDC,
  deps: TokenExchangeDeps,
  outcome: Outcome,
  error?: { error?: string; error_description?: string },
) {
  const clientId = ctx.oidc.client?.clientId ?? null;
  return deps.audit.record({
    actorType: 'client',
    actorId: clientId,
    clientId,
    action: 'token.exchange',
    outcome: error ? 'failure' : 'success',
    ip: ctx.ip,
    requestId: ctx.get('x-request-id') || null,
    ...(outcome.subject ? { targetType: 'user', targetId: outcome.subject.accountId } : {}),
    details: {
      ...(outcome.mode ? { mode: outcome.mode } : {}),
      ...(outcome.audience ? { audience: outcome.audience } : {}),
      ...(outcome.scope ? { scope: outcome.scope } : {}),
      ...(outcome.issued ? { issued_token_type: outcome.issued } : {}),
      ...(outcome.subject ? { subject_client_id: outcome.subject.clientId } : {}),
      ...(error ? { error: error.error ?? 'server_error', error_description: error.error_description } : {}),
    },
  });
}

/**
 * Registers the grant (discovery lists it in `grant_types_supported`), and answers a client not registered
 * for it `unauthorized_client`, audited like every other refusal.
 */
export function registerTokenExchange(provider: Provider, deps: TokenExchangeDeps): void {
  provider.use(
    unauthorizedClientForGrantType((ctx, grantType) => {
      if (grantType === TOKEN_EXCHANGE_GRANT)
        void auditExchange(ctx, deps, {}, { error: 'unauthorized_client' });
    }),
  );
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx) => {
      const outcome: Outcome = {};
      try {
        await exchange(ctx as KoaContextWithOIDC, deps, outcome);
      } catch (error) {
        await auditExchange(ctx as KoaContextWithOIDC, deps, outcome, error as never);
        throw error;
      }
      await auditExchange(ctx as KoaContextWithOIDC, deps, outcome);
    },
    EXCHANGE_PARAMS,
    ['resource', 'audience'],
  );
}
