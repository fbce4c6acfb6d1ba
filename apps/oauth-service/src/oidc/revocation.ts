import { errors, type KoaContextWithOIDC } from 'oidc-provider';

// The revocation endpoint (RFC 7009) answers 200 whether or not a token was revoked, so the audit log cannot be
// fed from its response. This policy is oidc-provider's default, written out (a client revokes only its own
// tokens; a public client asking for another's is silently ignored, a confidential one is refused), and it
// marks the request when a token is about to be destroyed; `auditRevocations` records it once the endpoint
// has answered successfully, i.e. once the token is really gone.

interface RevokedToken {
  kind: string;
  clientId: string;
  grantId: string | undefined;
}

const REVOKED = Symbol('revoked token');

type RevocationState = { [REVOKED]?: RevokedToken };

export async function revocationAllowedPolicy(
  ctx: KoaContextWithOIDC,
  client: { clientId: string; clientAuthMethod: string },
  token: { kind: string; clientId?: string; grantId?: string },
): Promise<boolean> {
  if (token.clientId !== client.clientId) {
    if (client.clientAuthMethod === 'none') return false;
    throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  }
  (ctx.state as RevocationState)[REVOKED] = {
    kind: token.kind,
    clientId: client.clientId,
    grantId: token.grantId,
  };
  return true;
}

/** Koa middleware for the provider: calls `record` after each successful revocation of a token. */
export function auditRevocations(record: (ctx: KoaContextWithOIDC, token: RevokedToken) => void) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const token = (ctx.state as RevocationState)[REVOKED];
    if (token && ctx.status === 200) record(ctx, token);
  };
}
