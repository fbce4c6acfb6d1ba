import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { checkAccessToken, GRANT_CLAIM, ownersStand } from './access-token-check.ts';

// The introspection endpoint (RFC 7662) for both token formats. oidc-provider answers opaque access tokens
// and refresh tokens itself, asking `introspectionAllowedPolicy` first; it refuses JWT access tokens with
// `unsupported_token_type` (shared/reject_structured_tokens.js) once it has parsed the request and
// authenticated the caller. `answerJwtIntrospection` answers those instead, after the refusal, from
// checkAccessToken: the same fields as for an opaque token and the same rule on who may learn about it.
// docs/adr/0039-jwt-introspection.md.

interface Caller {
  clientId: string;
  clientAuthMethod?: string | undefined;
}

/** oidc-provider's default rule: any confidential client may introspect; a public one only its own tokens. */
export function mayIntrospect(caller: Caller, tokenClientId: string | undefined): boolean {
  return caller.clientAuthMethod !== 'none' || tokenClientId === caller.clientId;
}

/**
 * `features.introspection.allowedPolicy`: who may learn about a token, and whether the token's client and
 * user still stand (a deleted or disabled client's tokens, a disabled user's tokens are inactive even when
 * their grant was left behind). The grant itself oidc-provider has already checked.
 */
export async function introspectionAllowedPolicy(
  ctx: KoaContextWithOIDC,
  caller: Caller,
  token: { clientId?: string; accountId?: string },
): Promise<boolean> {
  if (!mayIntrospect(caller, token.clientId) || typeof token.clientId !== 'string') return false;
  const accountId = typeof token.accountId === 'string' ? token.accountId : undefined;
  return ownersStand(ctx.oidc.provider, token.clientId, accountId);
}

const REFUSED_STRUCTURED = Symbol('structured token refused');

type IntrospectionState = { [REFUSED_STRUCTURED]?: true };

/** The RFC 7662 answer for a JWT access token: its claims (but the grant's id), as for an opaque token. */
async function jwtIntrospectionBody(ctx: KoaContextWithOIDC, caller: Caller, token: string) {
  const result = await checkAccessToken(ctx.oidc.provider, token);
  if (!result.active || !mayIntrospect(caller, result.clientId)) return { active: false };
  const { [GRANT_CLAIM]: _grant, ...claims } = result.claims;
  return { ...claims, active: true, token_type: result.jkt ? 'DPoP' : 'Bearer' };
}

/** Whether the request was an introspection whose JWT oidc-provider refused (see the observer below). */
export function refusedStructuredToken(ctx: KoaContextWithOIDC): boolean {
  return (ctx.state as IntrospectionState)[REFUSED_STRUCTURED] === true;
}

/** RFC 7662's `username`: the human-readable name a user's token carries as `preferred_username`. */
function nameTheUser(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const answer = body as Record<string, unknown>;
  if (
    answer.active === true &&
    typeof answer.preferred_username === 'string' &&
    answer.username === undefined
  )
    answer.username = answer.preferred_username;
}

/**
 * Answers introspection requests for JWT access tokens that oidc-provider refused as structured tokens, and
 * adds `username` to every active answer.
 */
export function answerJwtIntrospection(provider: Provider): void {
  provider.on('introspection.error', (ctx: KoaContextWithOIDC, error: { error?: string }) => {
    if (error.error === 'unsupported_token_type')
      (ctx.state as IntrospectionState)[REFUSED_STRUCTURED] = true;
  });
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route !== 'introspection') return;
    const caller = ctx.oidc.client;
    const token = ctx.oidc.params?.token;
    if (refusedStructuredToken(ctx) && caller && typeof token === 'string') {
      try {
        ctx.body = await jwtIntrospectionBody(ctx, caller, token);
        ctx.status = 200;
      } catch (error) {
        // As oidc-provider answers its own failures (shared/error_handler.js).
        ctx.status = 500;
        ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
        provider.emit('server_error', ctx, error);
      }
    }
    if (ctx.status === 200) nameTheUser(ctx.body);
  });
}
