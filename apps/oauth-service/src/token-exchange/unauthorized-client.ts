import type { KoaContextWithOIDC } from 'oidc-provider';

// oidc-provider refuses a grant type the client is not registered for with `invalid_request`; RFC 6749 §5.2
// names that case `unauthorized_client` ("the authenticated client is not authorized to use this
// authorization grant type"), and RFC 8693 clients rely on it. This middleware answers it so, for every
// grant type, and reports the refusal (a token exchange refusal is audited). The grant.error metric counts it
// under the same name (oidc/events.ts).

const NOT_ALLOWED = 'requested grant type is not allowed for this client';

type TokenError = { error?: string; error_description?: string };

/** The OAuth error a token endpoint error is answered with: `unauthorized_client` for a grant type not allowed. */
export function answeredError(error: TokenError): string | undefined {
  return error.error === 'invalid_request' && error.error_description === NOT_ALLOWED
    ? 'unauthorized_client'
    : error.error;
}

export function unauthorizedClientForGrantType(
  onRefused: (ctx: KoaContextWithOIDC, grantType: string) => void,
) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as TokenError | undefined;
    if (ctx.status !== 400 || !body || body.error === answeredError(body)) return;
    ctx.body = { error: 'unauthorized_client', error_description: NOT_ALLOWED };
    onRefused(ctx, String(ctx.oidc?.params?.grant_type ?? 'unknown'));
  };
}
